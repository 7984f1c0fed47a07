"""Secrets Manager rotation with a Lambda rotation function, up to the invocation. moto 5.2.5 runs a
rotation function only through its Lambda backend (Docker images, which cannot be pulled here), and
without one it moves AWSCURRENT to the new version at once, which the service never does. RotateSecret
with a RotationLambdaARN (given, or stored by an earlier call) is replaced by what the service does
before it invokes the function (API reference: RotateSecret, RotateImmediately; user guide: "How
rotation works", "Troubleshoot rotation"):

- a rotation still pending (AWSPENDING on a version that is not AWSCURRENT) refuses a new one;
- the rules are stored and rotation is enabled;
- AWSPENDING goes to a new version named by the ClientRequestToken: an empty one for a rotation (the
  function's createSecret fills it), a copy of the current value for RotateImmediately=false, whose
  only step is the testSecret "test of the rotation configuration";
- the steps the service would invoke are appended, as JSON, to PR_CYBR_ROTATION_LOG; the suite invokes
  the function with those events, in order, as the service does.

And one moto defect the rotation meets: UpdateSecretVersionStage moves the AWSCURRENT label but not
moto's default version, so GetSecretValue without a version kept answering the old value; the API
reference (GetSecretValue) says that call returns the AWSCURRENT version.
"""
import json
import os
import time

from moto.moto_api._internal import mock_random
from moto.secretsmanager.exceptions import InvalidParameterException, InvalidRequestException, SecretNotFoundException
from moto.secretsmanager.models import SecretsManagerBackend

_rotate_secret = SecretsManagerBackend.rotate_secret


def rotate_secret(self, secret_id, client_request_token=None, rotation_lambda_arn=None, rotation_rules=None, rotate_immediately=True):
    if not self._is_valid_identifier(secret_id):
        raise SecretNotFoundException()
    secret = self.secrets[secret_id]
    function = rotation_lambda_arn or getattr(secret, "rotation_lambda_arn", "")
    if not function:
        return _rotate_secret(self, secret_id, client_request_token, rotation_lambda_arn, rotation_rules, rotate_immediately)
    if any("AWSPENDING" in v["version_stages"] and "AWSCURRENT" not in v["version_stages"] for v in secret.versions.values()):
        raise InvalidRequestException("A previous rotation isn't complete. That rotation will be reattempted.")
    days = (rotation_rules or {}).get("AutomaticallyAfterDays")
    if days is not None:
        if not 1 <= int(days) <= 1000:
            raise InvalidParameterException("RotationRules.AutomaticallyAfterDays must be within 1-1000.")
        secret.auto_rotate_after_days = int(days)
        secret.next_rotation_date = int(time.time()) + int(days) * 86400
    secret.rotation_requested = True
    secret.rotation_enabled = True
    secret.rotation_lambda_arn = function
    version_id = client_request_token or str(mock_random.uuid4())
    version = {"createdate": int(time.time()), "version_id": version_id, "version_stages": ["AWSPENDING"]}
    if not rotate_immediately:
        current = next((v for v in secret.versions.values() if "AWSCURRENT" in v["version_stages"]), {})
        for field in ("secret_string", "secret_binary"):
            if field in current:
                version[field] = current[field]
    secret.remove_version_stages_from_old_versions(["AWSPENDING"])
    secret.versions[version_id] = version
    steps = ["createSecret", "setSecret", "testSecret", "finishSecret"] if rotate_immediately else ["testSecret"]
    with open(os.environ["PR_CYBR_ROTATION_LOG"], "a", encoding="utf8") as log:
        log.write(json.dumps({"function": function, "secretId": secret.arn, "token": version_id, "steps": steps}) + "\n")
    return json.dumps({"ARN": secret.arn, "Name": secret.name, "VersionId": version_id})


_update_secret_version_stage = SecretsManagerBackend.update_secret_version_stage


def update_secret_version_stage(self, secret_id, version_stage, remove_from_version_id, move_to_version_id):
    answer = _update_secret_version_stage(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)
    if version_stage == "AWSCURRENT" and move_to_version_id:
        self.secrets[secret_id].default_version_id = move_to_version_id
    return answer


def install() -> None:
    SecretsManagerBackend.rotate_secret = rotate_secret
    SecretsManagerBackend.update_secret_version_stage = update_secret_version_stage
