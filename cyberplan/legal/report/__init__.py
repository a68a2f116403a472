"""The legal alignment report: what it says (content), how it is laid out (render), the command and the job."""
