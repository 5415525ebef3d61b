# syntax=docker/dockerfile:1
# Build the node jar (Maven's repository in a build cache: dependencies are not fetched again when
# only the code changed), then run it from the same layout as the release tarball on a slim JRE.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY modules modules
COPY multi-jvm-tests multi-jvm-tests
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -DskipTests -pl modules/node -am package \
    && mkdir -p /dist/bin /dist/lib /dist/conf \
    && cp modules/node/target/vipkeeper-node-*-all.jar /dist/lib/vipkeeper-node.jar
COPY bin/vipkeeper /dist/bin/
COPY conf/logback.xml conf/logback-journald.xml conf/application.conf conf/jvm.options /dist/conf/

FROM eclipse-temurin:17-jre
LABEL org.opencontainers.image.title="vipkeeper" \
      org.opencontainers.image.description="High-availability virtual IP keeper on a Pekko cluster" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN apt-get update && apt-get install -y --no-install-recommends libpcap0.8 iproute2 nftables \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /dist /opt/vipkeeper
# The launcher holds the JVM options; add your own with VIPKEEPER_JAVA_OPTS.
ENV VIPKEEPER_DATA_DIR=/var/lib/vipkeeper \
    VIPKEEPER_JAVA_OPTS=""
VOLUME /var/lib/vipkeeper
# Healthy = an Up cluster member with a healthy interface (GET /ready on the node's loopback).
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8558 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/opt/vipkeeper/bin/vipkeeper", "run"]
