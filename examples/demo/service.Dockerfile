FROM base
ARG SERVICE
ARG WORK=1
ARG DEMO_ID
RUN echo "building $SERVICE ($DEMO_ID)" && sleep "$WORK" && echo "$SERVICE" > /service
COPY README.txt /srv/README.txt
