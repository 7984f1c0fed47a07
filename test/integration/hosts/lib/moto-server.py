"""moto's server (moto[server], pinned by the engine) plus what the host suites need and moto does not
do: Run Command as agents run it (moto_ssm_agents.py), a rotation function's invocation (moto_rotation.py)
and the Auto Scaling call the swarm's termination handler needs, CompleteLifecycleAction (moto 5.2.5
has put/describe/delete_lifecycle_hook only, moto/autoscaling/responses.py).

The stand-in follows the API reference (CompleteLifecycleAction): the hook must exist on the group,
the instance must belong to it, and an action completes once; a second completion is the
ValidationError "No active Lifecycle Action found". Every accepted call is appended, as JSON, to the
file named by PR_CYBR_LIFECYCLE_LOG, which the suites read as moto's record of it.
"""
import json
import os
import sys

from moto.autoscaling.responses import AutoScalingResponse
from moto.autoscaling.exceptions import ValidationError
from moto.core.responses import EmptyResult
from moto.server import main

import moto_rotation
import moto_ssm_agents

_completed = set()


def complete_lifecycle_action(self):
    group = self._get_param("AutoScalingGroupName")
    hook = self._get_param("LifecycleHookName")
    instance = self._get_param("InstanceId")
    result = self._get_param("LifecycleActionResult")
    backend = self.autoscaling_backend
    if not any(h.name == hook for h in backend.describe_lifecycle_hooks(group)):
        raise ValidationError(f"No Lifecycle Hook found with name {hook} for group {group}")
    groups = backend.describe_auto_scaling_groups([group])
    if not groups or instance not in [s.instance.id for s in groups[0].instance_states]:
        raise ValidationError(f"No active Lifecycle Action found with instance ID {instance}")
    if (group, instance) in _completed:
        raise ValidationError(f"No active Lifecycle Action found with instance ID {instance}")
    _completed.add((group, instance))
    with open(os.environ["PR_CYBR_LIFECYCLE_LOG"], "a", encoding="utf8") as log:
        log.write(json.dumps({"group": group, "hook": hook, "instance": instance, "result": result}) + "\n")
    return EmptyResult()


AutoScalingResponse.complete_lifecycle_action = complete_lifecycle_action
moto_ssm_agents.install()
moto_rotation.install()

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
