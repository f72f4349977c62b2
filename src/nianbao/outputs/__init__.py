"""What is made from a report: the format-neutral outline and the renderers that consume it."""
