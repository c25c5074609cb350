"""pullcheck: find why a Fargate task will not pull its image, before it is deployed."""
__version__ = "0.1.0"
