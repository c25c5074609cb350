#!/usr/bin/env bash
# Deploys the network, then the service on it.
set -euo pipefail
PROJECT=demo

aws cloudformation deploy --template-file vpc.yaml --stack-name "${PROJECT}-vpc" \
  --parameter-overrides ProjectName=$PROJECT

aws cloudformation deploy \
  --template-file service.yaml \
  --stack-name "${PROJECT}-service" \
  --parameter-overrides ProjectName=demo \
  --capabilities CAPABILITY_IAM
