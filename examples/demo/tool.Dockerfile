ARG BASE
FROM ${BASE}
ARG TOOL
ARG WORK=1
ARG DEMO_ID
RUN echo "building $TOOL ($DEMO_ID) on $(uname -m)" && sleep "$WORK" && echo "$TOOL" > /tool
