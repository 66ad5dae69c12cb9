#!/usr/bin/env python3
"""Check every ARM body azplan renders against the official Azure SDK for Python models.

Issue 4, item 6: "Bodies our model renders must contain no field the official model does not
know: check every rendered body against the official Azure SDK for Python models (round-trip
through the model must lose nothing)."

For every `changes[].desired` body of a set of `azplan plan --format json` runs, this script

1. picks the SDK model class that the SDK's PUT (create_or_update) operation takes for the ARM
   type, from the models module whose api-version is closest to the body's `api_version`;
2. deserialises the body into that model the way the SDK does for a PUT body, and serialises it
   back the way the SDK sends it:
   * msrest-style packages (azure-mgmt-dns, -msi, -authorization here):
     `Serializer(models).body(body, "Zone")`, the exact call the generated operation makes. It
     reads the dict case-insensitively into the model and writes the model back without
     read-only properties; anything the model does not declare is dropped.
   * hybrid (TypeSpec-generated, `_utils/model_base.py`) packages (the rest):
     `model_base._deserialize(Model, body)` builds the model. Those models are MutableMappings
     that keep unknown keys verbatim, so `json.dumps(model, cls=SdkJSONEncoder)` alone would
     never lose anything. The round trip therefore writes the model back from its declared
     fields only (each `rest_field`, recursively through typed sub-models, lists and dicts,
     without the read-only ones that the SDK excludes with `exclude_readonly=True`), which is
     what "a field the official model knows" means for these models;
3. fails the body if any key path of the original is missing from the round-tripped body (or
   a value came back different, e.g. the string "false" where the model declares a boolean),
   printing the ARM type, the path, why (unknown field, casing mismatch and the SDK's
   spelling, read-only field, null) and the plan it came from;
4. notes, without failing, string values that the field's (extensible) SDK enum does not list
   or lists in another casing, and bodies checked against a model of a different api-version.

The plans: the examples (against an empty live state; examples/shared-network against
fixtures/shared-network-live.json, which holds its `existing:` resources), every stack in
stacks/ (against fixtures/<stem>-live.json when present) that turns on rendering paths the
examples leave off, and every run of tests/plans/*/runs.txt (their changed resources only).

Exit status: 0 when every body passes, 1 when any fails or a plan run fails, 2 on a usage or
setup error. The last line printed is `N passed, M failed` (counting bodies).

Usage: check_bodies.py [AZPLAN_BINARY] [--repo DIR] [--verbose] [--paths]
"""

from __future__ import annotations

import argparse
import datetime
import difflib
import enum
import importlib
import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

# ARM type (lower case) -> (SDK package, model class the PUT operation takes).
# The class is the `parameters` type of the type's create_or_update operation.
MODELS: dict[str, tuple[str, str]] = {
    "microsoft.keyvault/vaults": ("azure.mgmt.keyvault", "VaultCreateOrUpdateParameters"),
    "microsoft.resources/resourcegroups": ("azure.mgmt.resource.resources", "ResourceGroup"),
    "microsoft.operationalinsights/workspaces": ("azure.mgmt.loganalytics", "Workspace"),
    "microsoft.monitor/accounts": ("azure.mgmt.monitor", "AzureMonitorWorkspaceResource"),
    "microsoft.storage/storageaccounts": ("azure.mgmt.storage", "StorageAccountCreateParameters"),
    "microsoft.operationsmanagement/solutions": ("azure.mgmt.operationsmanagement", "Solution"),
    "microsoft.insights/datacollectionrules": ("azure.mgmt.monitor", "DataCollectionRuleResource"),
    "microsoft.insights/datacollectionendpoints": ("azure.mgmt.monitor", "DataCollectionEndpointResource"),
    # azure-mgmt-monitor 7.0 dropped diagnostic settings: 6.0.2, side-installed by
    # check_bodies.sh into AZPLAN_MONITOR6 and imported as `azplan_monitor6` (load_monitor6).
    "microsoft.insights/diagnosticsettings": ("azplan_monitor6", "DiagnosticSettingsResource"),
    "microsoft.insights/datacollectionruleassociations": ("azure.mgmt.monitor", "DataCollectionRuleAssociationProxyOnlyResource"),
    "microsoft.containerregistry/registries": ("azure.mgmt.containerregistry", "Registry"),
    "microsoft.network/virtualnetworks": ("azure.mgmt.network", "VirtualNetwork"),
    "microsoft.network/virtualnetworks/subnets": ("azure.mgmt.network", "Subnet"),
    "microsoft.network/virtualnetworks/virtualnetworkpeerings": ("azure.mgmt.network", "VirtualNetworkPeering"),
    "microsoft.network/routetables": ("azure.mgmt.network", "RouteTable"),
    "microsoft.network/publicipaddresses": ("azure.mgmt.network", "PublicIPAddress"),
    "microsoft.network/publicipprefixes": ("azure.mgmt.network", "PublicIPPrefix"),
    "microsoft.network/natgateways": ("azure.mgmt.network", "NatGateway"),
    "microsoft.network/networksecuritygroups": ("azure.mgmt.network", "NetworkSecurityGroup"),
    "microsoft.network/privateendpoints": ("azure.mgmt.network", "PrivateEndpoint"),
    "microsoft.network/privateendpoints/privatednszonegroups": ("azure.mgmt.network", "PrivateDnsZoneGroup"),
    "microsoft.network/dnszones": ("azure.mgmt.dns", "Zone"),
    "microsoft.network/privatednszones": ("azure.mgmt.privatedns", "PrivateZone"),
    "microsoft.network/privatednszones/virtualnetworklinks": ("azure.mgmt.privatedns", "VirtualNetworkLink"),
    "microsoft.managedidentity/userassignedidentities": ("azure.mgmt.msi", "Identity"),
    "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials": (
        "azure.mgmt.msi",
        "FederatedIdentityCredential",
    ),
    "microsoft.containerservice/managedclusters": ("azure.mgmt.containerservice", "ManagedCluster"),
    "microsoft.containerservice/managedclusters/agentpools": ("azure.mgmt.containerservice", "AgentPool"),
    "microsoft.containerservice/managedclusters/maintenanceconfigurations": ("azure.mgmt.containerservice", "MaintenanceConfiguration"),
    "microsoft.kubernetesconfiguration/extensions": ("azure.mgmt.kubernetesconfiguration.extensions", "Extension"),
    "microsoft.kubernetesconfiguration/fluxconfigurations": ("azure.mgmt.kubernetesconfiguration.fluxconfigurations", "FluxConfiguration"),
    "microsoft.authorization/policyassignments": ("azure.mgmt.resource.policy", "PolicyAssignment"),
    "microsoft.authorization/roleassignments": (
        "azure.mgmt.authorization",
        "RoleAssignmentCreateParameters",
    ),
}


# --------------------------------------------------------------------------------------------
# Plans to take bodies from
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    args: list[str]
    # azplan's expected exit status with --detailed-exitcode, when known (tests/plans runs.txt).
    expected_exit: int | None = None


def plan_runs(repo: Path) -> list[Run]:
    """Every plan whose bodies are checked: the examples and the plan cases."""
    empty = "tests/fixtures/live-empty.json"
    here = Path(__file__).resolve().parent.relative_to(repo.resolve())
    runs = [
        Run("examples/platform", ["examples/platform", "--live", empty]),
        Run("examples/minimal", ["examples/minimal", "--live", empty]),
        Run("examples/hub-spoke", ["examples/hub-spoke", "--live", empty]),
        Run("examples/dev-prod", ["examples/dev-prod", "--live", empty]),
        Run("examples/key-vault", ["examples/key-vault", "--live", empty]),
        Run("examples/monitoring", ["examples/monitoring", "--live", empty]),
        Run("examples/egress", ["examples/egress", "--live", empty]),
        Run("examples/storage", ["examples/storage", "--live", empty]),
        Run("examples/gitops", ["examples/gitops", "--live", empty]),
        Run("examples/dev-prod --env prod", ["examples/dev-prod", "--env", "prod", "--live", empty]),
        Run(
            "examples/dev-prod --env prod --values load-test",
            [
                "examples/dev-prod",
                "--env",
                "prod",
                "--values",
                "examples/dev-prod/load-test.values.yaml",
                "--live",
                empty,
            ],
        ),
        # shared-network points at resources under `existing:`; this live file holds them.
        Run(
            "examples/shared-network",
            ["examples/shared-network", "--live", str(here / "fixtures/shared-network-live.json")],
        ),
    ]
    # Extra stacks kept beside this script that exercise rendering paths the examples do not.
    # Each plans against fixtures/<stem>-live.json when there is one, else an empty live state.
    for stack in sorted((repo / here / "stacks").glob("*.yaml")):
        rel = str(stack.relative_to(repo))
        live = here / "fixtures" / f"{stack.stem}-live.json"
        runs.append(Run(rel, [rel, "--live", str(live) if (repo / live).is_file() else empty]))
    # Plan cases: spec + live state, one run per line of runs.txt.
    for case in sorted((repo / "tests/plans").iterdir()):
        runs_txt = case / "runs.txt"
        if not runs_txt.is_file():
            continue
        rel = str(case.relative_to(repo))
        for line in runs_txt.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            # runs.txt: name, exit code, changed-resource count (- when refused), extra args.
            name, code, _changed, *extra = line.split()
            runs.append(
                Run(
                    f"{rel} ({name})",
                    [f"{rel}/stack.yaml", "--live", f"{rel}/live.yaml", *extra],
                    expected_exit=int(code),
                )
            )
    return runs


@dataclass
class Body:
    source: str  # the plan run
    address: str
    arm_type: str
    api_version: str
    body: Any


def collect_bodies(azplan: str, repo: Path) -> tuple[list[Body], list[str]]:
    bodies: list[Body] = []
    errors: list[str] = []
    for run in plan_runs(repo):
        cmd = [azplan, "plan", *run.args, "--format", "json"]
        proc = subprocess.run(cmd, cwd=repo, capture_output=True, text=True)
        if proc.returncode != 0:
            if run.expected_exit == 1:
                # A case that is meant to fail planning (e.g. refusing unowned resources).
                continue
            errors.append(
                f"{run.name}: `{' '.join(cmd)}` exited {proc.returncode}:\n{proc.stderr.strip()}"
            )
            continue
        try:
            plan = json.loads(proc.stdout)
        except json.JSONDecodeError as err:
            errors.append(f"{run.name}: plan is not JSON ({err})")
            continue
        for change in plan.get("changes", []):
            desired = change.get("desired")
            if desired is None:
                continue
            bodies.append(
                Body(
                    source=run.name,
                    address=str(change.get("address", change.get("id", "?"))),
                    arm_type=change["arm_type"],
                    api_version=change.get("api_version", ""),
                    body=desired,
                )
            )
    return bodies, errors


# --------------------------------------------------------------------------------------------
# Choosing the models module
# --------------------------------------------------------------------------------------------

_VERSION_DIR = re.compile(r"^v(\d{4})_(\d{2})_(\d{2})(_preview)?$")
_DEFAULT_VERSION = re.compile(r'kwargs\.pop\(\s*"api_version",\s*(?:_params\.pop\("api-version",\s*)?"([0-9]{4}-[0-9]{2}-[0-9]{2}[^"]*)"')


def _version_key(version: str) -> tuple[datetime.date, bool]:
    date = datetime.date.fromisoformat(version[:10])
    return date, "preview" in version


def load_monitor6() -> None:
    """azure-mgmt-monitor 6.0.2 from AZPLAN_MONITOR6 (a pip --target directory) as its own
    package, `azplan_monitor6`, so it does not replace the 7.x one (as emulator_sdk_check.py)."""
    where = os.environ.get("AZPLAN_MONITOR6")
    if not where or "azplan_monitor6" in sys.modules:
        return
    root = os.path.join(where, "azure", "mgmt", "monitor")
    spec = importlib.util.spec_from_file_location(
        "azplan_monitor6", os.path.join(root, "__init__.py"), submodule_search_locations=[root])
    module = importlib.util.module_from_spec(spec)
    sys.modules["azplan_monitor6"] = module
    spec.loader.exec_module(module)


def package_versions(package: str) -> dict[str, str]:
    """api-version -> models module, for one SDK package."""
    if package == "azplan_monitor6":
        load_monitor6()
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"SDK package {package} is not installed")
    root = Path(list(spec.submodule_search_locations)[0])
    versions: dict[str, str] = {}
    # Multi-api packages: one subpackage per api-version.
    for child in sorted(root.iterdir()):
        m = _VERSION_DIR.match(child.name)
        if m and child.is_dir():
            version = f"{m[1]}-{m[2]}-{m[3]}" + ("-preview" if m[4] else "")
            versions[version] = f"{package}.{child.name}.models"
    if versions:
        return versions
    # Single-api packages: the root models module, at the client's default api-version.
    counts: dict[str, int] = {}
    sources = [root / "_configuration.py", root / "operations" / "_operations.py"]
    sources += sorted((root / "operations").glob("*.py"))
    for source in sources:
        if not source.is_file():
            continue
        for found in _DEFAULT_VERSION.findall(source.read_text(encoding="utf-8")):
            counts[found] = counts.get(found, 0) + 1
        if counts:
            break
    if not counts:
        raise RuntimeError(f"cannot tell the api-version of {package}")
    default = max(counts, key=lambda v: (counts[v], v))
    found = {default: f"{package}.models"}
    # One models module may serve operation groups of several api-versions (azure-mgmt-monitor:
    # activity logs at 2015-04-01, Azure Monitor workspaces at 2023-04-03): each version an
    # operation sends maps to it, so a body of any of them finds its exact version.
    for source in sorted((root / "operations").glob("*.py")):
        for found_version in _DEFAULT_VERSION.findall(source.read_text(encoding="utf-8")):
            found.setdefault(found_version, f"{package}.models")
    return found


def closest_version(wanted: str, available: Iterable[str]) -> str:
    def distance(v: str) -> tuple[int, bool, int]:
        try:
            date, preview = _version_key(v)
            target, target_preview = _version_key(wanted)
        except ValueError:
            return (10**9, True, 0)
        return (abs((date - target).days), preview != target_preview, -date.toordinal())

    return min(sorted(available), key=distance)


_model_cache: dict[tuple[str, str], tuple[Any, str, str]] = {}
_versions_cache: dict[str, dict[str, str]] = {}


def model_for(arm_type: str, api_version: str) -> tuple[Any, str, str]:
    """(model class, models module, SDK api-version) for an ARM type and api-version."""
    key = (arm_type.lower(), api_version)
    if key in _model_cache:
        return _model_cache[key]
    if arm_type.lower() not in MODELS:
        raise LookupError(f"no SDK model is mapped for ARM type {arm_type}")
    package, class_name = MODELS[arm_type.lower()]
    if package not in _versions_cache:
        _versions_cache[package] = package_versions(package)
    versions = _versions_cache[package]
    chosen = closest_version(api_version, versions)
    module_name = versions[chosen]
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name)
    _model_cache[key] = (cls, module_name, chosen)
    return _model_cache[key]


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------


@dataclass
class Finding:
    path: str
    kind: str  # "unknown", "casing", "read-only", "changed", "error"
    detail: str = ""


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    key = str(key)
    if re.fullmatch(r"[A-Za-z_$@][A-Za-z0-9_$@-]*", key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _suggest(key: str, known: Iterable[str]) -> str:
    known = list(known)
    same = [k for k in known if k.lower() == key.lower()]
    if same:
        return same[0]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return close[0] if close else ""


def _enum_classes(annotation: Any, models_module: Any) -> list[type]:
    """Enum classes a field's type annotation names (`Union[str, "_models.OutboundType"]`)."""
    found = []
    for name in re.findall(r"_models\.(\w+)", str(annotation)):
        candidate = getattr(models_module, name, None)
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            found.append(candidate)
    return found


def enum_findings(annotation: Any, value: Any, models_module: Any, path: str, owner: str) -> list[Finding]:
    """Warnings for string values that the field's SDK enum does not list (the SDK accepts any
    string for these extensible enums, so they are notes, not failures)."""
    classes = _enum_classes(annotation, models_module)
    if not classes:
        return []
    values = [(i, v) for i, v in enumerate(value)] if isinstance(value, list) else [(None, value)]
    out = []
    for index, item in values:
        if not isinstance(item, str):
            continue
        known = sorted({str(m.value) for c in classes for m in c})
        if item in known:
            continue
        here = path if index is None else _join(path, index)
        same = [k for k in known if k.lower() == item.lower()]
        names = "/".join(c.__name__ for c in classes)
        if same:
            out.append(Finding(here, "enum-case", f"{owner}: {item!r} is {same[0]!r} in the SDK enum {names}"))
        else:
            out.append(Finding(here, "enum", f"{owner}: {item!r} is not in the SDK enum {names} {known}"))
    return out


def _is_hybrid_model(obj: Any) -> bool:
    return getattr(obj, "_is_model", False) is True and hasattr(type(obj), "_attr_to_rest_field")


def _is_hybrid_class(cls: Any) -> bool:
    return hasattr(cls, "_attr_to_rest_field") or any(
        b.__name__ == "Model" and b.__module__.endswith("model_base") for b in cls.__mro__
    )


def _annotations(cls: type) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        merged.update(getattr(klass, "__annotations__", {}))
    return merged


class HybridRoundTrip:
    """Round trip through a TypeSpec-generated (hybrid) model, keeping only declared fields."""

    def __init__(self, cls: Any):
        self.cls = cls
        self.model_base = importlib.import_module(cls.__module__.rsplit(".models", 1)[0] + "._utils.model_base")
        self.findings: list[Finding] = []
        self.notes: list[Finding] = []

    def run(self, body: Any) -> Any:
        model = self.model_base._deserialize(self.cls, body)
        projected = self._project(model, "")
        # Serialise the way the SDK does (dates, enums, bytes ...).
        return json.loads(json.dumps(projected, cls=self.model_base.SdkJSONEncoder, exclude_readonly=True))

    def _project(self, value: Any, path: str) -> Any:
        if _is_hybrid_model(value):
            cls = type(value)
            fields = cls._attr_to_rest_field
            by_rest = {rf._rest_name: (attr, rf) for attr, rf in fields.items()}
            out: dict[str, Any] = {}
            for key in list(value._data.keys()):
                here = _join(path, key)
                if key not in by_rest:
                    suggestion = _suggest(key, by_rest)
                    kind = "casing" if suggestion and suggestion.lower() == key.lower() else "unknown"
                    detail = f"{cls.__name__} has no field {key!r}"
                    if suggestion:
                        detail += f"; the model calls it {suggestion!r}" if kind == "casing" else f" (closest: {suggestion!r})"
                    self.findings.append(Finding(here, kind, detail))
                    continue
                attr, rf = by_rest[key]
                if self.model_base._is_readonly(rf):
                    self.findings.append(
                        Finding(here, "read-only", f"{cls.__name__}.{attr} is read-only; the SDK does not send it")
                    )
                    continue
                try:
                    typed = getattr(value, attr)
                except Exception as err:  # a value the model cannot read as its declared type
                    self.findings.append(Finding(here, "error", f"{cls.__name__}.{attr}: {type(err).__name__}: {err}"))
                    continue
                annotation = _annotations(cls).get(attr)
                models_module = importlib.import_module(cls.__module__.rsplit(".", 1)[0])
                self.notes.extend(enum_findings(annotation, value._data.get(key), models_module, here, f"{cls.__name__}.{attr}"))
                out[key] = self._project(typed, here)
            return out
        if isinstance(value, dict):
            return {k: self._project(v, _join(path, k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._project(v, _join(path, i)) for i, v in enumerate(value)]
        if isinstance(value, enum.Enum):
            return value.value
        return value


class MsrestRoundTrip:
    """Round trip through an AutoRest (msrest-style) model, exactly as the SDK's PUT does."""

    def __init__(self, cls: Any, module_name: str):
        self.cls = cls
        self.module = importlib.import_module(module_name)
        package = module_name.rsplit(".models", 1)[0]
        ser_module = None
        for candidate in (package + "._serialization", package.rsplit(".", 1)[0] + "._serialization", package + "._utils.serialization"):
            try:
                ser_module = importlib.import_module(candidate)
                break
            except ImportError:
                continue
        if ser_module is None:
            raise RuntimeError(f"no msrest serializer found for {module_name}")
        self.ser_module = ser_module
        models = {k: v for k, v in vars(self.module).items() if isinstance(v, type)}
        self.models = models
        self.findings: list[Finding] = []
        self.notes: list[Finding] = []

    def run(self, body: Any) -> Any:
        serializer = self.ser_module.Serializer(self.models)
        # The generated operation does exactly this with the `parameters` it is given.
        sent = serializer.body(body, self.cls.__name__)
        self._explain(self.cls.__name__, body, "")
        return json.loads(json.dumps(sent))

    # The rest only explains losses: walk the body against the model's attribute maps.
    def _tree(self, type_name: str) -> dict[str, Any] | None:
        cls = self.models.get(type_name)
        if cls is None or not hasattr(cls, "_attribute_map"):
            return None
        tree: dict[str, Any] = {}
        for attr, meta in cls._attribute_map.items():
            parts = [p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", meta["key"])]
            node = tree
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            readonly = cls._validation.get(attr, {}).get("readonly", False) if hasattr(cls, "_validation") else False
            node[parts[-1]] = ("leaf", meta["type"], readonly, f"{cls.__name__}.{attr}", cls, attr)
        return tree

    def _explain(self, type_name: str, body: Any, path: str) -> None:
        tree = self._tree(type_name)
        if tree is not None:
            self._explain_tree(tree, body, path, type_name)

    def _explain_tree(self, tree: dict[str, Any], body: Any, path: str, owner: str) -> None:
        if not isinstance(body, dict):
            return
        for key, value in body.items():
            here = _join(path, key)
            if key not in tree:
                suggestion = _suggest(key, tree)
                kind = "casing" if suggestion and suggestion.lower() == key.lower() else "unknown"
                detail = f"{owner} has no field {key!r}"
                if suggestion:
                    detail += f"; the model calls it {suggestion!r}" if kind == "casing" else f" (closest: {suggestion!r})"
                self.findings.append(Finding(here, kind, detail))
                continue
            node = tree[key]
            if isinstance(node, dict):
                self._explain_tree(node, value, here, owner)
                continue
            _, type_str, readonly, attr, cls, attr_name = node
            if readonly:
                self.findings.append(Finding(here, "read-only", f"{attr} is read-only; the SDK does not send it"))
                continue
            try:
                annotation = inspect.signature(cls.__init__).parameters[attr_name].annotation
            except (KeyError, ValueError, TypeError):
                annotation = None
            self.notes.extend(enum_findings(annotation, value, self.module, here, attr))
            self._explain_type(type_str, value, here)

    def _explain_type(self, type_str: str, value: Any, path: str) -> None:
        if type_str.startswith("[") and isinstance(value, list):
            for i, item in enumerate(value):
                self._explain_type(type_str[1:-1], item, _join(path, i))
        elif type_str.startswith("{") and isinstance(value, dict):
            for k, item in value.items():
                self._explain_type(type_str[1:-1], item, _join(path, k))
        elif type_str in self.models:
            self._explain(type_str, value, path)


def round_trip(cls: Any, module_name: str, body: Any) -> tuple[Any, list[Finding], list[Finding], str]:
    if _is_hybrid_class(cls):
        trip: Any = HybridRoundTrip(cls)
        style = "hybrid"
    else:
        trip = MsrestRoundTrip(cls, module_name)
        style = "msrest"
    out = trip.run(body)
    return out, trip.findings, trip.notes, style


def compare(original: Any, back: Any, path: str = "") -> list[Finding]:
    """Every key path of `original` missing from `back`, and every leaf value that changed."""
    if isinstance(original, dict):
        if not isinstance(back, dict):
            return [Finding(path or "(body)", "changed", f"object became {json.dumps(back)}")]
        found: list[Finding] = []
        for key, value in original.items():
            here = _join(path, key)
            if key not in back:
                found.append(Finding(here, "missing", "null" if value is None else ""))
            else:
                found.extend(compare(value, back[key], here))
        return found
    if isinstance(original, list):
        if not isinstance(back, list) or len(back) != len(original):
            return [Finding(path, "changed", f"{json.dumps(original)} came back as {json.dumps(back)}")]
        found = []
        for i, (a, b) in enumerate(zip(original, back)):
            found.extend(compare(a, b, _join(path, i)))
        return found
    if original != back or type(original) is not type(back):
        detail = f"{json.dumps(original)} came back as {json.dumps(back)}"
        if type(original) is not type(back):
            detail += f" (the body has a JSON {_json_type(original)}, the model a {_json_type(back)})"
        return [Finding(path, "changed", detail)]
    return []


def key_paths(value: Any, path: str = "") -> set[str]:
    """Leaf key paths of a body, list indices as []."""
    out: set[str] = set()
    if isinstance(value, dict) and value:
        for key, item in value.items():
            out |= key_paths(item, _join(path, key))
    elif isinstance(value, list) and value and any(isinstance(v, (dict, list)) for v in value):
        for item in value:
            out |= key_paths(item, path + "[]")
    else:
        out.add(path)
    return out


def _json_type(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", type(None): "null"}.get(
        type(value), "object" if isinstance(value, dict) else "array" if isinstance(value, list) else type(value).__name__
    )


def check(body: Body) -> tuple[list[Finding], list[Finding], str]:
    """(failures, notes, model used) for one body."""
    try:
        cls, module_name, sdk_version = model_for(body.arm_type, body.api_version)
    except Exception as err:
        return [Finding("(body)", "error", str(err))], [], ""
    try:
        back, explained, notes, style = round_trip(cls, module_name, body.body)
    except Exception as err:
        return [Finding("(body)", "error", f"{cls.__name__}: {type(err).__name__}: {err}")], [], module_name
    where = f"{module_name}.{cls.__name__} ({style}, api-version {sdk_version})"
    lost = compare(body.body, back)
    # Attach the explanation found while walking the model to each lost path.
    reasons = {f.path: f for f in explained}
    findings: list[Finding] = []
    for f in lost:
        reason = reasons.get(f.path)
        inner = [r for p, r in reasons.items() if p.startswith(f.path + ".") or p.startswith(f.path + "[")]
        if f.kind == "missing" and f.detail == "null" and reason is None:
            findings.append(Finding(f.path, "null", "a null value: the SDK leaves nulls out of the body it sends"))
        elif f.kind == "missing" and reason is not None:
            findings.append(reason)
        elif f.kind == "missing" and inner:
            # A whole object was dropped: say why for what was in it.
            findings.extend(inner)
        elif f.kind == "missing":
            findings.append(Finding(f.path, "unknown", "lost in the round trip"))
        else:
            findings.append(f)
    # Errors (values the model could not read) are failures even if the key survived.
    findings.extend(f for f in explained if f.kind == "error" and f.path not in {x.path for x in findings})
    if sdk_version != body.api_version:
        notes.append(Finding("(body)", "version", f"no SDK models for {body.api_version}; used the closest, {sdk_version}"))
    return findings, notes, where


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("azplan", nargs="?", default="target/debug/azplan", help="azplan binary (default target/debug/azplan)")
    parser.add_argument("--repo", default=None, help="repository root (default: two levels above this script)")
    parser.add_argument("--verbose", "-v", action="store_true", help="also list passing bodies")
    parser.add_argument("--paths", action="store_true", help="also list every key path checked, per ARM type")
    args = parser.parse_args()

    repo = Path(args.repo) if args.repo else Path(__file__).resolve().parents[2]
    azplan = args.azplan
    if os.sep in azplan and not os.path.isabs(azplan):
        azplan = str((Path.cwd() / azplan).resolve())
    if not (os.path.isfile(azplan) and os.access(azplan, os.X_OK)):
        print(f"error: azplan binary {args.azplan} not found or not executable (build it first)", file=sys.stderr)
        return 2

    bodies, errors = collect_bodies(azplan, repo)
    for err in errors:
        print(f"error: {err}")
    if not bodies:
        print("error: no bodies to check")
        print("0 passed, 0 failed")
        return 2

    passed = failed = noted = 0
    modules: dict[str, str] = {}
    for body in bodies:
        findings, notes, where = check(body)
        if where:
            modules[body.arm_type] = where
        noted += bool(notes)
        head = f"{body.arm_type} @{body.api_version}  {body.address}  [{body.source}]"
        if findings:
            failed += 1
            print(f"FAIL {head}")
        else:
            passed += 1
            if notes:
                print(f"note {head}")
            elif args.verbose:
                print(f"ok   {head}")
        for f in findings + notes:
            detail = f": {f.detail}" if f.detail else ""
            marker = "" if f in findings else "(note) "
            print(f"     {marker}{f.kind:9} {f.path}{detail}")

    if args.paths:
        print()
        print("key paths checked:")
        per_type: dict[str, set[str]] = {}
        for body in bodies:
            per_type.setdefault(body.arm_type, set()).update(key_paths(body.body))
        for arm_type in sorted(per_type):
            print(f"  {arm_type}:")
            for path in sorted(per_type[arm_type]):
                print(f"    {path}")

    print()
    print("models used:")
    for arm_type in sorted(modules):
        print(f"  {arm_type}: {modules[arm_type]}")
    if noted:
        print(f"{noted} passing or failing bodies carry notes (values outside an SDK enum, closest api-version); notes never fail")
    if errors:
        print(f"{len(errors)} plan run(s) failed")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
