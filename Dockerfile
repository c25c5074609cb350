# pullcheck in a container: docker run --rm -v "$PWD:/work" pullcheck [PATH ...]
# python:3.12-slim by digest (Python 3.12.13 on Debian trixie); to move it: docker buildx imagetools inspect
# python:3.12-slim, and the digest of the index it names
FROM python:3.12-slim@sha256:229a2c5bfa27522db7815ea81f9bed70af17ccb9de9fc7ad142b1877b5830d36 AS build
# pullcheck's wheel, built with the pinned setuptools; the sources stay in this stage
COPY docker/build-requirements.txt /tmp/build-requirements.txt
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: -r /tmp/build-requirements.txt
COPY . /src
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels /src

FROM python:3.12-slim@sha256:229a2c5bfa27522db7815ea81f9bed70af17ccb9de9fc7ad142b1877b5830d36
# the dependencies at exact versions and hashes, then pullcheck alone: nothing unpinned is fetched
COPY docker/requirements.txt /tmp/requirements.txt
COPY --from=build /wheels /tmp/wheels
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: -r /tmp/requirements.txt \
 && pip install --no-cache-dir --no-deps /tmp/wheels/pullcheck-*.whl \
 && rm -rf /tmp/wheels /tmp/requirements.txt \
 && useradd --create-home --uid 10001 pullcheck
USER pullcheck
WORKDIR /work
ENTRYPOINT ["pullcheck"]
