ARG BASE
FROM ${BASE}
ARG DEMO_ID
RUN echo "base $DEMO_ID" > /etc/demo-base && sleep 2
