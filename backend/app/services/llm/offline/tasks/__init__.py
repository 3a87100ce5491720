"""Offline task handlers. Every module here is imported on first use and
registers its handlers with `@register_task("<task_name>")`; adding a task is
adding a file."""
