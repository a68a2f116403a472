"""The regional programme: member states' statistics packages (the member side today)."""
