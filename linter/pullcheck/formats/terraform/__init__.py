"""Terraform: reading (``syntax``), evaluation (``evaluate``, ``functions``), module loading
(``modules``), mapping to canonical kinds (``build``) and ``terraform show -json`` plans (``plan``)."""
