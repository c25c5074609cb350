# pullcheck in a container: docker run --rm -v "$PWD:/work" pullcheck [PATH ...]
FROM python:3.12-slim
COPY . /src
RUN pip install --no-cache-dir /src \
 && rm -rf /src \
 && useradd --create-home --uid 10001 pullcheck
USER pullcheck
WORKDIR /work
ENTRYPOINT ["pullcheck"]
