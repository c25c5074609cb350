"""A real AWS API server on a loopback port for the snapshot's tests: moto in server mode, reached by boto3's own
HTTP calls with dummy credentials, never the network. ``start()`` gives (server, url); ``env()`` the
environment a child process needs to reach it and nothing else."""
import contextlib
import logging
import os
import socket

REGION = "eu-west-1"
DUMMY = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
         "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_CONFIG_FILE": os.devnull,
         "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"}


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def reset(url: str) -> None:
    """Every resource of the server gone (moto's own reset call): a test that builds a network starts from an
    empty account, and the describe calls of a snapshot stay as quick as the first."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", method="POST"), timeout=30).close()


def env(url: str) -> dict:
    """The environment for a child process: dummy credentials, and every SDK call sent to the server."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    out.update(DUMMY)
    out["AWS_ENDPOINT_URL"] = url
    return out


def session(url: str, region: str = REGION):
    import boto3

    return boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", aws_session_token="testing",
                         region_name=region), url
