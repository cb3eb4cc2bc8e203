# bert-clf's CPU image: the release (src/assembly/dist.xml) on a slim Java 17 runtime, run as a non-root user, with
# BERT_CLF_HOME (downloaded models and data, caches) a volume. Build the release first, then the image:
#   mvn -B -DskipTests clean package && docker build -t bert-clf .
#   docker run --rm -v bert-clf-home:/var/lib/bert-clf -v "$PWD/model:/model:ro" bert-clf predict --model-dir /model "a fine film"
FROM eclipse-temurin:17-jre-jammy

# The release's folder that 'mvn package' lays out (target/bert-clf-VERSION/bert-clf-VERSION).
ARG RELEASE=target/bert-clf-0.1.0-SNAPSHOT/bert-clf-0.1.0-SNAPSHOT

# bert-clf refuses a home that another user owns or others may write: the volume's folder is the user's, mode 700
# (a named volume starts as a copy of it; a bind mount must be owned by uid 10001).
RUN useradd --create-home --uid 10001 --user-group bertclf \
    && mkdir -p /var/lib/bert-clf \
    && chown bertclf:bertclf /var/lib/bert-clf \
    && chmod 700 /var/lib/bert-clf
COPY ${RELEASE} /opt/bert-clf
ENV BERT_CLF_HOME=/var/lib/bert-clf \
    PATH=/opt/bert-clf/bin:$PATH \
    BERT_CLF_JAVA_OPTS=-XX:MaxRAMPercentage=75
VOLUME /var/lib/bert-clf
USER bertclf
WORKDIR /home/bertclf
ENTRYPOINT ["bert-clf"]
CMD ["--help"]
