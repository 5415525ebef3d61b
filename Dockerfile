# Build the node jar, then run it on a slim JRE with what the drivers need (libpcap, iproute2).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY modules modules
COPY multi-jvm-tests multi-jvm-tests
RUN mvn -B -q -DskipTests -pl modules/node -am package

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends libpcap0.8 iproute2 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/modules/node/target/vipkeeper-node-*-all.jar /opt/vipkeeper/vipkeeper-node.jar
COPY conf/logback.xml /etc/vipkeeper/logback.xml
ENV VIPKEEPER_DATA_DIR=/var/lib/vipkeeper
VOLUME /var/lib/vipkeeper
ENTRYPOINT ["java", "-Xms16m", "-Xmx128m", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30", "-XX:ReservedCodeCacheSize=32m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=/etc/vipkeeper/logback.xml", \
            "-jar", "/opt/vipkeeper/vipkeeper-node.jar"]
