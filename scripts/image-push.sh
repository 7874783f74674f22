#!/usr/bin/env bash
# npm run image:push -- <environment>: builds app/Dockerfile for the CPU architecture the synthesized
# stack runs (npm run synth first) and pushes it to the environment's repository, which the bootstrap
# stack made, tagged IMAGE_TAG or the HEAD commit. Tags are immutable: one already pushed is not built
# again. Needs AWS credentials, the AWS CLI and Docker. The image URI is the last line of stdout.
set -euo pipefail
environment=${1:?usage: npm run image:push -- <environment>  (e.g. dev; npm run synth first)}
repository="petstore-$environment/pet-service"
stack_json="cdktf.out/stacks/petstore-$environment/cdk.tf.json"
[[ -f $stack_json ]] || { echo "image:push: $stack_json is missing: run npm run synth first" >&2; exit 1; }

if [[ -z ${IMAGE_TAG:-} && -n $(git status --porcelain) ]]; then
  echo "image:push: the work tree has uncommitted changes; a tag (the commit SHA) must mean committed code. Commit, or set IMAGE_TAG" >&2
  exit 1
fi
tag=${IMAGE_TAG:-$(git rev-parse HEAD)}

uri=$(aws ecr describe-repositories --repository-names "$repository" --query 'repositories[0].repositoryUri' --output text) || {
  echo "image:push: no repository $repository: deploy petstore-bootstrap first (docs/deploying.md)" >&2
  exit 1
}
if aws ecr describe-images --repository-name "$repository" --image-ids "imageTag=$tag" >/dev/null 2>&1; then
  echo "$repository:$tag is already pushed" >&2
else
  architecture=$(node -e '
    const stack = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const [definition] = Object.values(stack.resource.aws_ecs_task_definition);
    console.log(definition.runtime_platform.cpu_architecture === "ARM64" ? "linux/arm64" : "linux/amd64");
  ' "$stack_json")
  aws ecr get-login-password | docker login --username AWS --password-stdin "${uri%%/*}" >&2
  docker build --platform "$architecture" --file app/Dockerfile --tag "$uri:$tag" . >&2
  docker push "$uri:$tag" >&2
fi
echo "$uri:$tag"
