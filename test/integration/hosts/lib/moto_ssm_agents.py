"""Run Command as the SSM agents on the simulated hosts see it. moto 5.2.5 (moto/ssm) stores
SendCommand and answers every GetCommandInvocation "Success" at once, and has no
DescribeInstanceInformation, because no agent ever runs a command there. Here the suite's agent
stand-in (hosts/lib/ssm-agent.ts) registers a host and executes its commands, and these calls follow
the API reference against what it records in the directory PR_CYBR_SSM_DIR:

- agents.json: {instanceId: {"PingStatus": "Online"|"ConnectionLost", "IPAddress": ...}}; a managed
  node exists only once its agent registered (DescribeInstanceInformation lists those only);
- <CommandId>_<InstanceId>.json: the invocation as the agent reported it; none yet is "Pending".

DescribeInstanceInformation supports the Filters keys the program uses (tag:<key>, tag-key,
PingStatus, InstanceIds, ResourceType, PlatformTypes); others are InvalidFilterKey, as the service
answers for a key it does not know. SendCommand to an instance no agent registered is
InvalidInstanceId ("the instance is not in a valid state for the operation" covers an offline one).
"""
import json
import os

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.ec2.models import ec2_backends
from moto.ssm.exceptions import InvalidFilterKey
from moto.ssm.models import Command, SimpleSystemManagerBackend
from moto.ssm.responses import SimpleSystemManagerResponse

_KEYS = {"PingStatus", "InstanceIds", "ResourceType", "PlatformTypes", "tag-key"}


class InvalidInstanceId(ServiceException):
    def __init__(self, instance_id: str):
        super().__init__("InvalidInstanceId", f"Instance {instance_id} is not a managed node that is online")


def _dir() -> str:
    return os.environ["PR_CYBR_SSM_DIR"]


def _agents() -> dict:
    path = os.path.join(_dir(), "agents.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf8") as f:
        return json.load(f)


def _tags(account_id: str, region: str, instance_id: str) -> dict:
    tags = ec2_backends[account_id][region].describe_tags(filters={"resource-id": [instance_id]})
    return {t["key"]: t["value"] for t in tags}


def _matches(node: dict, tags: dict, filters: list) -> bool:
    for f in filters:
        key, values = f["Key"], f.get("Values", [])
        if key.startswith("tag:"):
            if tags.get(key[4:]) not in values:
                return False
        elif key == "tag-key":
            if not any(v in tags for v in values):
                return False
        elif key == "InstanceIds":
            if node["InstanceId"] not in values:
                return False
        elif key in ("PingStatus", "ResourceType"):
            if node[key] not in values:
                return False
        elif key == "PlatformTypes":
            if node["PlatformType"] not in values:
                return False
        else:
            raise InvalidFilterKey(f"{key} is not a valid filter key (valid: {', '.join(sorted(_KEYS))}, tag:<key>)")
    return True


def describe_instance_information(self) -> ActionResult:
    filters = self._get_param("Filters", [])
    found = []
    for instance_id, agent in _agents().items():
        node = {
            "InstanceId": instance_id,
            "PingStatus": agent["PingStatus"],
            "PlatformType": "Linux",
            "PlatformName": "Amazon Linux",
            "ResourceType": "EC2Instance",
            "IPAddress": agent.get("IPAddress", ""),
            "AgentVersion": "stand-in",
        }
        if _matches(node, _tags(self.current_account, self.region, instance_id), filters):
            found.append(node)
    return ActionResult({"InstanceInformationList": found})


_send_command = SimpleSystemManagerBackend.send_command


def send_command(self, *args, **kwargs):
    agents = _agents()
    for instance_id in kwargs.get("instance_ids") or []:
        if agents.get(instance_id, {}).get("PingStatus") != "Online":
            raise InvalidInstanceId(instance_id)
    return _send_command(self, *args, **kwargs)


_get_invocation = Command.get_invocation


def get_invocation(self, instance_id, plugin_name):
    invocation = dict(_get_invocation(self, instance_id, plugin_name))
    path = os.path.join(_dir(), f"{self.command_id}_{instance_id}.json")
    if os.path.exists(path):
        with open(path, encoding="utf8") as f:
            invocation.update(json.load(f))
    else:
        invocation.update({"Status": "Pending", "StatusDetails": "Pending", "ResponseCode": -1, "ExecutionEndDateTime": ""})
    return invocation


def install() -> None:
    SimpleSystemManagerResponse.describe_instance_information = describe_instance_information
    SimpleSystemManagerBackend.send_command = send_command
    Command.get_invocation = get_invocation
