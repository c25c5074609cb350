"""Image-side checks shared by the network rules: where an image is written, and its registry host."""
from pullcheck.facts import network as net

PUBLIC_REGISTRIES = ("docker.io", "registry-1.docker.io", "index.docker.io", "public.ecr.aws", "ghcr.io",
                     "quay.io", "gcr.io", "registry.k8s.io", "k8s.gcr.io", "mcr.microsoft.com",
                     "registry.gitlab.com", "nvcr.io", "docker.elastic.co", "registry.access.redhat.com",
                     "registry.redhat.io", "public.registry.jetbrains.space")
PUBLIC_SUFFIXES = (".gcr.io", ".pkg.dev", ".azurecr.io", ".jfrog.io", ".docker.io", ".quay.io")


def host(image) -> str:
    first = image.text.split("/", 1)[0]
    return first.split(":", 1)[0].lower()


def public_host(image) -> bool:
    """Whether the registry is a public service on the internet (not a mirror inside the network)."""
    if image.kind in ("dockerhub", "ecr-public"):
        return True
    h = host(image)
    return h in PUBLIC_REGISTRIES or h.endswith(PUBLIC_SUFFIXES)


def endpoint_only(graph, launch, subnet):
    """True when the subnet has no internet path but the VPC has ECR endpoints: only ECR can be reached."""
    return net.internet_kind(graph, subnet) == "none" and net.has_ecr_endpoints(graph, subnet) is True
