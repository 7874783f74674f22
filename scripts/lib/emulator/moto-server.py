"""moto's server with the few calls the AWS provider needs that moto 5.2 lacks.

Run by scripts/lib/emulator/index.ts: `python3 moto-server.py <host>`. Binds a free port, prints
`{"port": N}` on one line once it accepts connections, and serves until it is terminated.

Added, and nothing else:
- Application Auto Scaling ListTagsForResource, TagResource and UntagResource. Without them the
  provider retries reading a scalable target's tags until its retries run out. The tags given to
  RegisterScalableTarget are kept too, so `tags_all` reads back what was applied.
- DynamoDB global table replicas (2019.11.21): UpdateTable's ReplicaUpdates creates or deletes a
  table of the same name and keys in the replica's region, and DescribeTable lists the replicas as
  ACTIVE. moto 5.2 ignores ReplicaUpdates, and the provider would wait for a replica that never comes.
  Items are not replicated: the emulator keeps the tables' configuration, not their traffic.

Corrected, as AWS behaves:
- DynamoDB writes are atomic: moto 5.2 runs a conditional write's check and its write as two steps, so
  two concurrent conditional PutItems on a new key could both succeed. Every DynamoDB write here runs
  under one lock (a superset of DynamoDB's per-item atomicity; the emulator serves one developer).
- CloudTrail StartLogging, StopLogging and DeleteTrail take a trail's ARN as well as its name (the
  provider passes the ARN); moto 5.2 looks the name up only, and answers an ARN with a 500.
- A Cloud Map service created with its namespace only in DnsConfig (as the provider creates it) belongs
  to that namespace, so DiscoverInstances finds it. moto 5.2 leaves it in no namespace.
- An API Gateway v2 domain name is AVAILABLE at once, with the regional target name and hosted zone an
  alias record points at (us-east-1's zone stands for every region's), and no mutual TLS unless asked.
  moto 5.2 leaves the first three unset (the provider waits for AVAILABLE until it gives up) and reads
  back an empty mutual TLS block (a perpetual diff).
- An ECS service created with a capacity provider strategy keeps it and has no launch type. moto 5.2
  drops the strategy and sets the EC2 launch type, so the next plan would replace the service.
"""

import functools
import hashlib
import json
import sys
import threading

from moto.apigatewayv2.models import ApiGatewayV2Backend
from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.cloudtrail.models import CloudTrailBackend
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.dynamodb.responses import DynamoHandler
from moto.servicediscovery.models import ServiceDiscoveryBackend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

# Tags per scalable-target ARN; one emulator process serves one account.
_scalable_target_tags: dict[str, dict[str, str]] = {}
_register_scalable_target = ApplicationAutoScalingResponse.register_scalable_target


def _register_with_tags(self: ApplicationAutoScalingResponse) -> str:
    body = _register_scalable_target(self)
    _scalable_target_tags.setdefault(json.loads(body)["ScalableTargetARN"], {}).update(self._get_param("Tags") or {})
    return body


def _list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
    return json.dumps({"Tags": _scalable_target_tags.get(self._get_param("ResourceARN"), {})})


def _tag_resource(self: ApplicationAutoScalingResponse) -> str:
    _scalable_target_tags.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
    return "{}"


def _untag_resource(self: ApplicationAutoScalingResponse) -> str:
    tags = _scalable_target_tags.get(self._get_param("ResourceARN"), {})
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return "{}"


_create_service = ServiceDiscoveryBackend.create_service


def _create_service_in_dns_namespace(self: ServiceDiscoveryBackend, **kwargs):
    dns_config = kwargs.get("dns_config") or {}
    if not kwargs.get("namespace_id") and dns_config.get("NamespaceId"):
        kwargs["namespace_id"] = dns_config["NamespaceId"]
    return _create_service(self, **kwargs)


def _by_name_or_arn(method):
    @functools.wraps(method)
    def resolved(self: CloudTrailBackend, name: str):
        trail = next((each for each in self.trails.values() if each.arn == name), None)
        return method(self, trail.trail_name if trail else name)

    return resolved


# Replica regions per (account, region, table name).
_replicas: dict[tuple[str, str, str], list[str]] = {}
_update_table = DynamoHandler.update_table
_describe_table = Table.describe


def _update_table_with_replicas(self: DynamoHandler):
    updates = self.body.pop("ReplicaUpdates", None) or []
    name = self.body["TableName"]
    table = self.dynamodb_backend.get_table(name)
    regions = _replicas.setdefault((self.current_account, self.region, name), [])
    for update in updates:
        if "Create" in update:
            region = update["Create"]["RegionName"]
            key = update["Create"].get("KMSMasterKeyId")
            dynamodb_backends[self.current_account][region].create_table(
                name,
                schema=table.schema,
                throughput=None,
                attr=table.attr,
                global_indexes=[],
                indexes=[],
                streams=table.stream_specification,
                billing_mode=table.billing_mode,
                sse_specification={"Enabled": True, **({"KMSMasterKeyId": key} if key else {})},
                tags=[],
                deletion_protection_enabled=False,
                warm_throughput=None,
            )
            regions.append(region)
        if "Delete" in update:
            region = update["Delete"]["RegionName"]
            dynamodb_backends[self.current_account][region].delete_table(name)
            regions.remove(region)
    return _update_table(self)


def _describe_with_replicas(self: Table, base_key: str = "TableDescription"):
    result = _describe_table(self, base_key)
    regions = _replicas.get((self.account_id, self.region_name, self.name))
    if regions:
        result[base_key]["Replicas"] = [{"RegionName": region, "ReplicaStatus": "ACTIVE"} for region in regions]
        result[base_key]["GlobalTableVersion"] = "2019.11.21"
    return result


_create_domain_name = ApiGatewayV2Backend.create_domain_name
# API Gateway's regional endpoints' hosted zone in us-east-1.
_REGIONAL_HOSTED_ZONE = "Z1UJRXOUMOOFQ8"


def _create_available_domain_name(self: ApiGatewayV2Backend, **kwargs):
    domain = _create_domain_name(self, **kwargs)
    # The REST-JSON shape the request came in, which moto keeps and echoes: lowerCamelCase keys.
    target = hashlib.sha256(domain.domain_name.encode()).hexdigest()[:10]
    for configuration in domain.domain_name_configurations:
        configuration.setdefault("domainNameStatus", "AVAILABLE")
        configuration.setdefault("apiGatewayDomainName", f"d-{target}.execute-api.{self.region_name}.amazonaws.com")
        configuration.setdefault("hostedZoneId", _REGIONAL_HOSTED_ZONE)
    if not domain.mutual_tls_authentication:
        domain.mutual_tls_authentication = None
    return domain


_create_ecs_service = EC2ContainerServiceResponse.create_service


def _create_ecs_service_with_strategy(self: EC2ContainerServiceResponse):
    strategy = self._get_param("capacityProviderStrategy")
    result = _create_ecs_service(self)
    if strategy:
        cluster = self._get_param("cluster", "default").split("/")[-1]
        service = self.ecs_backend.services[f"{cluster}:{self._get_param('serviceName')}"]
        service.capacity_provider_strategy = strategy
        service.launch_type = None
        for deployment in service.deployments:
            deployment.pop("launchType", None)
            deployment["capacityProviderStrategy"] = strategy
    return result


_dynamodb_writes = threading.Lock()


def _atomic(write):
    @functools.wraps(write)
    def locked(self, *args, **kwargs):
        with _dynamodb_writes:
            return write(self, *args, **kwargs)

    return locked


for _write in (
    "put_item",
    "update_item",
    "delete_item",
    "batch_write_item",
    "transact_write_items",
    "execute_statement",
    "batch_execute_statement",
    "execute_transaction",
):
    setattr(DynamoHandler, _write, _atomic(getattr(DynamoHandler, _write)))

ServiceDiscoveryBackend.create_service = _create_service_in_dns_namespace
DynamoHandler.update_table = _update_table_with_replicas
for _trail_call in ("start_logging", "stop_logging", "delete_trail"):
    setattr(CloudTrailBackend, _trail_call, _by_name_or_arn(getattr(CloudTrailBackend, _trail_call)))
Table.describe = _describe_with_replicas
ApiGatewayV2Backend.create_domain_name = _create_available_domain_name
EC2ContainerServiceResponse.create_service = _create_ecs_service_with_strategy
ApplicationAutoScalingResponse.register_scalable_target = _register_with_tags
ApplicationAutoScalingResponse.list_tags_for_resource = _list_tags_for_resource
ApplicationAutoScalingResponse.tag_resource = _tag_resource
ApplicationAutoScalingResponse.untag_resource = _untag_resource

if __name__ == "__main__":
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    server = make_server(host, 0, DomainDispatcherApplication(create_backend_app), threaded=True)
    print(json.dumps({"port": server.server_port}), flush=True)
    server.serve_forever()
