"""Capacity building: training programmes, who was trained in what, and the share of each audience trained.

Participants are pseudonymous records; names and contact details are optional and only the training
coordinator sees them (docs/concepts/training-privacy.md).
"""
