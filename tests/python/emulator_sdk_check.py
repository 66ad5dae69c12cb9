"""Drive the azplan ARM emulator with the official Azure SDKs for Python.

Every type is created, read, updated, listed and deleted through the SDK's own operations and LRO
pollers, including a full AKS cluster (managed AAD, Azure CNI, virtual nodes, autoscaling pools,
Container Insights). Every call must succeed and every response must deserialize into the SDK's
models. Prints one line per check and closes with 'N passed, M failed'.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import traceback

from azure.core import MatchConditions
from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError
from azure.mgmt.authorization import AuthorizationManagementClient
from azure.mgmt.containerregistry import ContainerRegistryManagementClient
from azure.mgmt.containerservice import ContainerServiceClient
from azure.mgmt.dns import DnsManagementClient
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.kubernetesconfiguration.extensions import KubernetesConfigurationExtensionsMgmtClient
from azure.mgmt.kubernetesconfiguration.fluxconfigurations import KubernetesConfigurationFluxConfigurationsMgmtClient
from azure.mgmt.loganalytics import LogAnalyticsManagementClient
from azure.mgmt.msi import ManagedServiceIdentityClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.operationsmanagement import OperationsManagementClient
from azure.mgmt.monitor import MonitorManagementClient
from azure.mgmt.privatedns import PrivateDnsManagementClient
from azure.mgmt.resource.policy import PolicyClient
from azure.mgmt.resource.resources import ResourceManagementClient
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions
from azure.mgmt.storage import StorageManagementClient

SUB = "00000000-0000-0000-0000-000000000000"
# The emulator's fake tenant (EmulatorConfig::default().tenant_id).
TENANT = "00000000-0000-4000-8000-0000000e0ad0"
RG = "sdk-rg"
LOC = "westeurope"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"


class StaticToken:
    """Any non-empty bearer token satisfies the emulator."""

    def get_token(self, *scopes, **kwargs):
        return AccessToken("emulator-token", int(time.time()) + 3600)

    def get_token_info(self, *scopes, options=None):
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo("emulator-token", int(time.time()) + 3600)


def start_emulator(binary, workdir, *extra):
    proc = subprocess.Popen(
        [binary, "emulator", "--listen", "127.0.0.1:0", "--time-scale", "0.002",
         "--principal-window", "0", "--state", os.path.join(workdir, "state.json"),
         "--request-log", os.path.join(workdir, "requests.jsonl"), *extra],
        stdout=subprocess.PIPE, text=True)
    ready = json.loads(proc.stdout.readline())
    return proc, ready["endpoint"], ready["caCert"]


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn):
        try:
            result = fn()
            self.passed += 1
            print(f"ok   {name}")
            return result
        except Exception:  # noqa: BLE001 - every failure is reported, then counted
            self.failed += 1
            print(f"FAIL {name}")
            traceback.print_exc()
            return None


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/debug/azplan"
    workdir = tempfile.mkdtemp(prefix="azplan-sdk-")
    proc, endpoint, ca = start_emulator(binary, workdir)
    common = dict(base_url=endpoint, connection_verify=ca, polling_interval=0.05)
    cred = StaticToken()
    res = ResourceManagementClient(cred, SUB, **common)
    acr = ContainerRegistryManagementClient(cred, SUB, **common)
    la = LogAnalyticsManagementClient(cred, SUB, **common)
    net = NetworkManagementClient(cred, SUB, **common)
    dns = DnsManagementClient(cred, SUB, **common)
    pdns = PrivateDnsManagementClient(cred, SUB, **common)
    msi = ManagedServiceIdentityClient(cred, SUB, **common)
    auth = AuthorizationManagementClient(cred, SUB, **common)
    aks = ContainerServiceClient(cred, SUB, **common)
    graph = ResourceGraphClient(cred, **common)
    monitor = MonitorManagementClient(cred, SUB, **common)
    # azure-mgmt-monitor 7 (Monitor workspaces, data collection rules) dropped
    # `diagnostic_settings`; 6.0.2, the last release with them (2021-05-01-preview), is installed
    # beside it by run.sh (pip --target) and loaded under another name.
    monitor_diag = monitor6_client(cred, common)
    kv = KeyVaultManagementClient(cred, SUB, **common)
    policy = PolicyClient(cred, SUB, **common)
    oms = OperationsManagementClient(cred, SUB, **common)
    storage = StorageManagementClient(cred, SUB, **common)
    ext = KubernetesConfigurationExtensionsMgmtClient(cred, SUB, **common)
    flux = KubernetesConfigurationFluxConfigurationsMgmtClient(cred, SUB, **common)
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
    c = Checks()
    rg_id = f"/subscriptions/{SUB}/resourceGroups/{RG}"

    # Resource group
    c.run("resource group create", lambda: res.resource_groups.create_or_update(RG, {"location": LOC}))
    c.run("resource group get", lambda: assert_eq(res.resource_groups.get(RG).properties.provisioning_state, "Succeeded"))
    c.run("resource group update", lambda: res.resource_groups.update(RG, {"tags": {"owner": "sdk"}}))
    c.run("resource group list", lambda: assert_true(any(g.name == RG for g in res.resource_groups.list())))
    c.run("resource group with a Unicode name (percent-encoded path)", lambda: assert_eq(
        res.resource_groups.create_or_update("sdk-grüppe-ümläut", {"location": LOC}).name, "sdk-grüppe-ümläut"))
    c.run("resource group with a Unicode name deleted (LRO)", lambda: res.resource_groups.begin_delete("sdk-grüppe-ümläut").result())

    # Container registry
    c.run("registry create (LRO)", lambda: assert_eq(acr.registries.begin_create(
        RG, "sdkregistry1", {"location": LOC, "sku": {"name": "Standard"}}).result().provisioning_state, "Succeeded"))
    c.run("registry get", lambda: assert_eq(acr.registries.get(RG, "sdkregistry1").login_server, "sdkregistry1.azurecr.io"))
    c.run("registry update (LRO)", lambda: acr.registries.begin_update(RG, "sdkregistry1", {"tags": {"a": "b"}}).result())
    c.run("registry list", lambda: assert_eq(len(list(acr.registries.list_by_resource_group(RG))), 1))

    # Log Analytics
    c.run("workspace create (LRO)", lambda: la.workspaces.begin_create_or_update(
        RG, "sdk-logs", {"location": LOC, "properties": {"sku": {"name": "PerGB2018"}, "retentionInDays": 30}}).result())
    ws = c.run("workspace get", lambda: la.workspaces.get(RG, "sdk-logs"))
    c.run("workspace update", lambda: la.workspaces.update(RG, "sdk-logs", {"tags": {"a": "b"}}))
    c.run("workspace list", lambda: assert_eq(len(list(la.workspaces.list_by_resource_group(RG))), 1))

    # Log Analytics solution (azure-mgmt-operationsmanagement's Solutions, api 2015-11-01-preview)
    ws_id = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.OperationalInsights/workspaces/sdk-logs"
    solution = {"location": LOC, "properties": {"workspaceResourceId": ws_id},
                "plan": {"name": "ContainerInsights(sdk-logs)", "publisher": "Microsoft", "product": "OMSGallery/ContainerInsights"}}
    c.run("solution create (LRO, 201)", lambda: assert_eq(oms.solutions.begin_create_or_update(
        RG, "ContainerInsights(sdk-logs)", solution).result().properties.provisioning_state, "Succeeded"))
    c.run("solution update by PUT (LRO, 201)", lambda: oms.solutions.begin_create_or_update(
        RG, "ContainerInsights(sdk-logs)", solution).result())
    c.run("solution get", lambda: assert_eq(oms.solutions.get(RG, "ContainerInsights(sdk-logs)").plan.product, "OMSGallery/ContainerInsights"))
    c.run("solution tags (PATCH, LRO)", lambda: assert_eq(oms.solutions.begin_update(
        RG, "ContainerInsights(sdk-logs)", {"tags": {"a": "b"}}).result().tags, {"a": "b"}))
    c.run("solution list", lambda: assert_eq([s.name for s in oms.solutions.list_by_resource_group(RG).value], ["ContainerInsights(sdk-logs)"]))
    c.run("solution not named type(workspace) refused (400)", lambda: expect_status(400, lambda: oms.solutions.begin_create_or_update(
        RG, "sdk-ci", solution).result()))
    c.run("solution delete (LRO, 200)", lambda: oms.solutions.begin_delete(RG, "ContainerInsights(sdk-logs)").result())
    c.run("solution gone (404)", lambda: expect_status(404, lambda: oms.solutions.get(RG, "ContainerInsights(sdk-logs)")))

    # Azure Monitor workspace (azure-mgmt-monitor's AzureMonitorWorkspaces, api 2023-04-03)
    amw = c.run("azure monitor workspace create", lambda: monitor.azure_monitor_workspaces.create(
        RG, "sdk-amw", {"location": LOC, "properties": {"publicNetworkAccess": "Disabled"}}))
    c.run("azure monitor workspace read-only values", lambda: assert_true(
        amw.account_id and amw.metrics.prometheus_query_endpoint.startswith("https://sdk-amw-")
        and amw.default_ingestion_settings.data_collection_rule_resource_id.endswith("/dataCollectionRules/sdk-amw")))
    c.run("azure monitor workspace get", lambda: assert_eq(
        monitor.azure_monitor_workspaces.get(RG, "sdk-amw").public_network_access, "Disabled"))
    c.run("azure monitor workspace update (tags)", lambda: assert_eq(
        monitor.azure_monitor_workspaces.update(RG, "sdk-amw", {"tags": {"a": "b"}}).tags, {"a": "b"}))
    c.run("azure monitor workspace list", lambda: assert_eq(
        [w.name for w in monitor.azure_monitor_workspaces.list_by_resource_group(RG)], ["sdk-amw"]))
    c.run("azure monitor workspace list by subscription", lambda: assert_true(
        any(w.name == "sdk-amw" for w in monitor.azure_monitor_workspaces.list_by_subscription())))
    c.run("azure monitor workspace moved refused (400)", lambda: expect_status(400, lambda: monitor.azure_monitor_workspaces.create(
        RG, "sdk-amw", {"location": "northeurope"})))
    # Data collection rules (azure-mgmt-monitor's DataCollectionRules, api 2023-03-11): the two
    # shapes AKS monitoring uses
    amw_id = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Monitor/accounts/sdk-amw"
    prom_rule = {"location": LOC, "kind": "Linux", "properties": {
        "dataSources": {"prometheusForwarder": [{"name": "PrometheusDataSource", "streams": ["Microsoft-PrometheusMetrics"], "labelIncludeFilter": {}}]},
        "destinations": {"monitoringAccounts": [{"accountResourceId": amw_id, "name": "MonitoringAccount1"}]},
        "dataFlows": [{"streams": ["Microsoft-PrometheusMetrics"], "destinations": ["MonitoringAccount1"]}]}}
    c.run("data collection rule create (Prometheus)", lambda: assert_eq(monitor.data_collection_rules.create(
        RG, "sdk-prom", prom_rule).destinations.monitoring_accounts[0].account_id, amw.account_id))
    # Data collection endpoints (azure-mgmt-monitor's DataCollectionEndpoints, api 2023-03-11):
    # the read-only URLs and immutable ID, kept across an update; a Prometheus rule naming one
    dce = c.run("data collection endpoint create", lambda: monitor.data_collection_endpoints.create(
        RG, "sdk-dce", {"location": LOC, "kind": "Linux", "properties": {
            "description": "managed Prometheus", "networkAcls": {"publicNetworkAccess": "Enabled"}}}))
    c.run("data collection endpoint read-only values", lambda: assert_true(
        dce.immutable_id.startswith("dce-")
        and dce.configuration_access.endpoint.startswith("https://sdk-dce-")
        and dce.configuration_access.endpoint.endswith(".control.monitor.azure.com")
        and dce.logs_ingestion.endpoint.endswith(".ingest.monitor.azure.com")
        and dce.metrics_ingestion.endpoint.startswith("https://sdk-dce-")))
    c.run("data collection endpoint update by PUT keeps its immutable ID", lambda: assert_eq(
        monitor.data_collection_endpoints.create(RG, "sdk-dce", {"location": LOC, "properties": {
            "networkAcls": {"publicNetworkAccess": "Disabled"}}}).immutable_id, dce.immutable_id))
    c.run("data collection endpoint get", lambda: assert_eq(
        monitor.data_collection_endpoints.get(RG, "sdk-dce").network_acls.public_network_access, "Disabled"))
    c.run("data collection endpoint tags (PATCH)", lambda: assert_eq(
        monitor.data_collection_endpoints.update(RG, "sdk-dce", {"tags": {"a": "b"}}).tags, {"a": "b"}))
    c.run("data collection endpoint list", lambda: assert_eq(
        [e.name for e in monitor.data_collection_endpoints.list_by_resource_group(RG)], ["sdk-dce"]))
    c.run("data collection endpoint list by subscription", lambda: assert_true(
        any(e.name == "sdk-dce" for e in monitor.data_collection_endpoints.list_by_subscription())))
    c.run("data collection endpoint unknown publicNetworkAccess refused (400)", lambda: expect_status(400, lambda: monitor.data_collection_endpoints.create(
        RG, "sdk-dce-bad", {"location": LOC, "properties": {"networkAcls": {"publicNetworkAccess": "Open"}}})))
    c.run("data collection endpoint moved refused (400)", lambda: expect_status(400, lambda: monitor.data_collection_endpoints.create(
        RG, "sdk-dce", {"location": "northeurope"})))
    c.run("data collection rule naming the endpoint", lambda: assert_eq(monitor.data_collection_rules.create(
        RG, "sdk-prom", {**prom_rule, "properties": {**prom_rule["properties"], "dataCollectionEndpointId": dce.id}}
        ).data_collection_endpoint_id, dce.id))
    ci_rule = {"location": LOC, "kind": "Linux", "properties": {
        "dataSources": {"extensions": [{"name": "ContainerInsightsExtension", "streams": ["Microsoft-ContainerInsights-Group-Default"], "extensionName": "ContainerInsights"}]},
        "destinations": {"logAnalytics": [{"workspaceResourceId": ws_id, "name": "ciworkspace"}]},
        "dataFlows": [{"streams": ["Microsoft-ContainerInsights-Group-Default"], "destinations": ["ciworkspace"]}]}}
    c.run("data collection rule create (Container Insights)", lambda: assert_true(monitor.data_collection_rules.create(
        RG, "sdk-ci", ci_rule).immutable_id.startswith("dcr-")))
    c.run("data collection rule get", lambda: assert_eq(monitor.data_collection_rules.get(RG, "sdk-ci").data_sources.extensions[0].extension_name, "ContainerInsights"))
    c.run("data collection rule tags (PATCH)", lambda: assert_eq(monitor.data_collection_rules.update(RG, "sdk-ci", {"tags": {"a": "b"}}).tags, {"a": "b"}))
    c.run("data collection rule list", lambda: assert_eq(sorted(r.name for r in monitor.data_collection_rules.list_by_resource_group(RG)), ["sdk-ci", "sdk-prom"]))
    # Data collection rule associations (azure-mgmt-monitor's DataCollectionRuleAssociations, api
    # 2023-03-11): the rule attached to a registry, listed per resource and per rule.
    check_rule_associations(c, monitor, acr, f"/subscriptions/{SUB}/resourceGroups/{RG}")
    bad_flow = {**ci_rule, "properties": {**ci_rule["properties"], "dataFlows": [{"streams": ["Microsoft-ContainerInsights-Group-Default"], "destinations": ["elsewhere"]}]}}
    c.run("data collection rule flow to an undeclared destination refused (400)", lambda: expect_status(400, lambda: monitor.data_collection_rules.create(RG, "sdk-bad", bad_flow)))
    c.run("data collection rule delete", lambda: monitor.data_collection_rules.delete(RG, "sdk-ci"))
    c.run("data collection rule delete (Prometheus)", lambda: monitor.data_collection_rules.delete(RG, "sdk-prom"))
    c.run("data collection rule gone (404)", lambda: expect_status(404, lambda: monitor.data_collection_rules.get(RG, "sdk-ci")))
    c.run("data collection endpoint delete", lambda: monitor.data_collection_endpoints.delete(RG, "sdk-dce"))
    c.run("data collection endpoint delete again (204)", lambda: monitor.data_collection_endpoints.delete(RG, "sdk-dce"))
    c.run("data collection endpoint gone (404)", lambda: expect_status(404, lambda: monitor.data_collection_endpoints.get(RG, "sdk-dce")))
    c.run("azure monitor workspace delete (LRO)", lambda: monitor.azure_monitor_workspaces.begin_delete(RG, "sdk-amw").result())
    c.run("azure monitor workspace gone (404)", lambda: expect_status(404, lambda: monitor.azure_monitor_workspaces.get(RG, "sdk-amw")))

    # Virtual network and subnets
    c.run("vnet create with subnets (LRO)", lambda: net.virtual_networks.begin_create_or_update(RG, "sdk-vnet", {
        "location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "nodes", "properties": {"addressPrefix": "10.0.0.0/22"}},
                    {"name": "aci", "properties": {"addressPrefix": "10.0.8.0/24", "delegations": [
                        {"name": "aci", "properties": {"serviceName": "Microsoft.ContainerInstance/containerGroups"}}]}}]}}).result())
    c.run("subnet create (LRO)", lambda: net.subnets.begin_create_or_update(
        RG, "sdk-vnet", "extra", {"properties": {"addressPrefix": "10.0.16.0/24"}}).result())
    c.run("subnet get", lambda: assert_eq(prop(net.subnets.get(RG, "sdk-vnet", "extra"), "private_endpoint_network_policies"), "Disabled"))
    c.run("vnet update tags", lambda: net.virtual_networks.update_tags(RG, "sdk-vnet", {"tags": {"a": "b"}}))
    c.run("vnet list", lambda: assert_eq(len(list(net.virtual_networks.list(RG))), 1))
    c.run("subnet list", lambda: assert_eq(len(list(net.subnets.list(RG, "sdk-vnet"))), 3))
    c.run("subnet delete (LRO)", lambda: net.subnets.begin_delete(RG, "sdk-vnet", "extra").result())

    # DNS
    c.run("dns zone create", lambda: assert_eq(len(dns.zones.create_or_update(RG, "sdk.example.com", {"location": "global"}).name_servers), 4))
    c.run("dns zone update", lambda: dns.zones.update(RG, "sdk.example.com", {"tags": {"a": "b"}}))
    c.run("dns zone list", lambda: assert_eq(len(list(dns.zones.list_by_resource_group(RG))), 1))
    c.run("private dns zone create (LRO)", lambda: pdns.private_zones.begin_create_or_update(
        RG, "privatelink.westeurope.azmk8s.io", {"location": "global"}).result())
    c.run("private dns zone link create (LRO)", lambda: pdns.virtual_network_links.begin_create_or_update(
        RG, "privatelink.westeurope.azmk8s.io", "sdk-link",
        {"location": "global", "properties": {"virtualNetwork": {"id": f"{rg_id}/providers/Microsoft.Network/virtualNetworks/sdk-vnet"},
                                              "registrationEnabled": False}}).result())

    zone = "privatelink.westeurope.azmk8s.io"
    c.run("private dns zone link get (resolutionPolicy Default)", lambda: assert_eq(
        prop(pdns.virtual_network_links.get(RG, zone, "sdk-link"), "resolution_policy"), "Default"))
    c.run("private dns zone link update registration (LRO PATCH)", lambda: pdns.virtual_network_links.begin_update(
        RG, zone, "sdk-link", {"properties": {"registrationEnabled": True}}).result())
    c.run("private dns zone link registers", lambda: assert_eq(
        prop(pdns.virtual_network_links.get(RG, zone, "sdk-link"), "registration_enabled"), True))
    c.run("private dns zone link list", lambda: assert_eq(
        [l.name for l in pdns.virtual_network_links.list(RG, zone)], ["sdk-link"]))
    c.run("private dns zone counts its links", lambda: assert_eq(
        prop(pdns.private_zones.get(RG, zone), "number_of_virtual_network_links_with_registration"), 1))
    c.run("private dns zone link outside `global` refused (400)", lambda: expect_status(400, lambda: pdns.virtual_network_links.begin_create_or_update(
        RG, zone, "sdk-link-2", {"location": LOC, "properties": {"virtualNetwork": {"id": f"{rg_id}/providers/Microsoft.Network/virtualNetworks/sdk-vnet"}}}).result()))

    # Virtual network peering: both sides, the state each reports, the VNet listing them
    c.run("second vnet create (LRO)", lambda: net.virtual_networks.begin_create_or_update(RG, "sdk-vnet2", {
        "location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}).result())
    vnet_id_1 = f"{rg_id}/providers/Microsoft.Network/virtualNetworks/sdk-vnet"
    vnet_id_2 = f"{rg_id}/providers/Microsoft.Network/virtualNetworks/sdk-vnet2"
    c.run("peering create (LRO), Initiated", lambda: assert_eq(prop(net.virtual_network_peerings.begin_create_or_update(
        RG, "sdk-vnet", "to-vnet2", {"properties": {"remoteVirtualNetwork": {"id": vnet_id_2}, "allowVirtualNetworkAccess": True,
                                                    "allowForwardedTraffic": True}}).result(), "peering_state"), "Initiated"))
    c.run("peering back (LRO), Connected", lambda: assert_eq(prop(net.virtual_network_peerings.begin_create_or_update(
        RG, "sdk-vnet2", "to-vnet1", {"properties": {"remoteVirtualNetwork": {"id": vnet_id_1}}}).result(), "peering_state"), "Connected"))
    c.run("peering first side Connected", lambda: assert_eq(
        prop(net.virtual_network_peerings.get(RG, "sdk-vnet", "to-vnet2"), "peering_state"), "Connected"))
    c.run("peering remote address space", lambda: assert_eq(
        prop(net.virtual_network_peerings.get(RG, "sdk-vnet", "to-vnet2"), "remote_address_space").address_prefixes, ["10.1.0.0/16"]))
    c.run("peering list", lambda: assert_eq([p.name for p in net.virtual_network_peerings.list(RG, "sdk-vnet")], ["to-vnet2"]))
    c.run("vnet get lists its peerings", lambda: assert_eq(
        [p.name for p in prop(net.virtual_networks.get(RG, "sdk-vnet"), "virtual_network_peerings")], ["to-vnet2"]))
    c.run("vnet update without peerings keeps them (LRO)", lambda: net.virtual_networks.begin_create_or_update(RG, "sdk-vnet2", {
        "location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}).result())
    c.run("peering kept", lambda: assert_eq(len(list(net.virtual_network_peerings.list(RG, "sdk-vnet2"))), 1))
    c.run("peering with overlapping spaces refused (400)", lambda: expect_status(400, lambda: net.virtual_network_peerings.begin_create_or_update(
        RG, "sdk-vnet", "to-self-space", {"properties": {"remoteVirtualNetwork": {"id": vnet_id_1}}}).result()))
    c.run("peering with remote gateways refused without a gateway (400)", lambda: expect_status(400, lambda: net.virtual_network_peerings.begin_create_or_update(
        RG, "sdk-vnet", "to-vnet2", {"properties": {"remoteVirtualNetwork": {"id": vnet_id_2}, "useRemoteGateways": True}}).result()))
    c.run("peering delete (LRO)", lambda: net.virtual_network_peerings.begin_delete(RG, "sdk-vnet2", "to-vnet1").result())
    c.run("peering other side Disconnected", lambda: assert_eq(
        prop(net.virtual_network_peerings.get(RG, "sdk-vnet", "to-vnet2"), "peering_state"), "Disconnected"))

    # Route tables and NSGs (routes and rules inline) and their association with a subnet
    rt_id = f"{rg_id}/providers/Microsoft.Network/routeTables/sdk-rt"
    nsg_id = f"{rg_id}/providers/Microsoft.Network/networkSecurityGroups/sdk-nsg"
    c.run("route table create with a route (LRO)", lambda: assert_eq([r.next_hop_type for r in net.route_tables.begin_create_or_update(RG, "sdk-rt", {
        "location": LOC, "properties": {"disableBgpRoutePropagation": True, "routes": [
            {"name": "to-fw", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance", "nextHopIpAddress": "10.0.0.4"}}]}}).result().routes],
        ["VirtualAppliance"]))
    c.run("route table get", lambda: assert_eq(net.route_tables.get(RG, "sdk-rt").disable_bgp_route_propagation, True))
    c.run("route table list", lambda: assert_eq([t.name for t in net.route_tables.list(RG)], ["sdk-rt"]))
    c.run("route table tags (PATCH)", lambda: assert_eq(net.route_tables.update_tags(RG, "sdk-rt", {"tags": {"a": "b"}}).tags, {"a": "b"}))
    c.run("route to an appliance without its address refused (400)", lambda: expect_status(400, lambda: net.route_tables.begin_create_or_update(RG, "sdk-rt-bad", {
        "location": LOC, "properties": {"routes": [{"name": "r", "properties": {"addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance"}}]}}).result()))
    rule = lambda name, priority: {"name": name, "properties": {"priority": priority, "direction": "Inbound", "access": "Allow",
        "protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "443"}}
    c.run("nsg create with a rule (LRO)", lambda: assert_eq([r.priority for r in net.network_security_groups.begin_create_or_update(RG, "sdk-nsg", {
        "location": LOC, "properties": {"securityRules": [rule("https", 100)]}}).result().security_rules], [100]))
    c.run("nsg default rules", lambda: assert_eq(len(net.network_security_groups.get(RG, "sdk-nsg").default_security_rules), 6))
    c.run("nsg list", lambda: assert_eq([g.name for g in net.network_security_groups.list(RG)], ["sdk-nsg"]))
    c.run("nsg duplicate priority refused (400)", lambda: expect_status(400, lambda: net.network_security_groups.begin_create_or_update(RG, "sdk-nsg", {
        "location": LOC, "properties": {"securityRules": [rule("a", 200), rule("b", 200)]}}).result()))
    c.run("subnet with route table and nsg (LRO)", lambda: assert_eq(net.subnets.begin_create_or_update(RG, "sdk-vnet2", "sdk-assoc", {
        "properties": {"addressPrefix": "10.1.8.0/24", "routeTable": {"id": rt_id}, "networkSecurityGroup": {"id": nsg_id}}}).result().route_table.id.lower(), rt_id.lower()))
    c.run("route table lists its subnet", lambda: assert_eq(len(net.route_tables.get(RG, "sdk-rt").subnets), 1))
    c.run("nsg in use refused (400)", lambda: expect_status(400, lambda: net.network_security_groups.begin_delete(RG, "sdk-nsg").result()))
    c.run("route table in use refused (400)", lambda: expect_status(400, lambda: net.route_tables.begin_delete(RG, "sdk-rt").result()))
    c.run("subnet dissociated (LRO)", lambda: assert_eq(net.subnets.begin_create_or_update(RG, "sdk-vnet2", "sdk-assoc", {
        "properties": {"addressPrefix": "10.1.8.0/24"}}).result().route_table, None))
    c.run("nsg delete (LRO)", lambda: net.network_security_groups.begin_delete(RG, "sdk-nsg").result())
    c.run("route table delete (LRO)", lambda: net.route_tables.begin_delete(RG, "sdk-rt").result())

    # Private endpoints (automatic connection to a registry) and their private DNS zone group,
    # in a subnet whose private endpoint network policies are on for NSGs
    c.run("subnet with privateEndpointNetworkPolicies (LRO)", lambda: assert_eq(net.subnets.begin_create_or_update(RG, "sdk-vnet2", "sdk-pe", {
        "properties": {"addressPrefix": "10.1.9.0/24", "privateEndpointNetworkPolicies": "NetworkSecurityGroupEnabled"}}).result()
        .private_endpoint_network_policies, "NetworkSecurityGroupEnabled"))
    c.run("subnet with an unknown policy value refused (400)", lambda: expect_status(400, lambda: net.subnets.begin_create_or_update(RG, "sdk-vnet2", "sdk-pe-bad", {
        "properties": {"addressPrefix": "10.1.10.0/24", "privateEndpointNetworkPolicies": "Sometimes"}}).result()))
    pe_subnet = f"{rg_id}/providers/Microsoft.Network/virtualNetworks/sdk-vnet2/subnets/sdk-pe"
    acr_id = f"{rg_id}/providers/Microsoft.ContainerRegistry/registries/sdkregistry1"
    pe_body = {"location": LOC, "properties": {"subnet": {"id": pe_subnet}, "privateLinkServiceConnections": [
        {"name": "sdk-pe", "properties": {"privateLinkServiceId": acr_id, "groupIds": ["registry"]}}]}}
    pe = c.run("private endpoint create (LRO)", lambda: net.private_endpoints.begin_create_or_update(RG, "sdk-pe", pe_body).result())
    c.run("private endpoint connection approved", lambda: assert_eq(
        pe.private_link_service_connections[0].private_link_service_connection_state.status, "Approved"))
    c.run("private endpoint NIC (read-only)", lambda: assert_true(
        ".nic." in pe.network_interfaces[0].id))
    c.run("private endpoint customDnsConfigs (registry and data endpoint, first free addresses)", lambda: assert_eq(
        [(d.fqdn.split(".")[0], d.ip_addresses) for d in pe.custom_dns_configs], [("sdkregistry1", ["10.1.9.4"]), ("sdkregistry1", ["10.1.9.5"])]))
    c.run("private endpoint list", lambda: assert_eq([p.name for p in net.private_endpoints.list(RG)], ["sdk-pe"]))
    c.run("private endpoint update keeps its NIC (LRO)", lambda: assert_eq(net.private_endpoints.begin_create_or_update(
        RG, "sdk-pe", dict(pe_body, tags={"a": "b"})).result().network_interfaces[0].id, pe.network_interfaces[0].id))
    c.run("private endpoint moved to another subnet refused (400)", lambda: expect_status(400, lambda: net.private_endpoints.begin_create_or_update(
        RG, "sdk-pe", {"location": LOC, "properties": {"subnet": {"id": pe_subnet.replace("sdk-pe", "sdk-assoc")},
        "privateLinkServiceConnections": pe_body["properties"]["privateLinkServiceConnections"]}}).result()))
    c.run("private endpoint to a missing registry refused (400)", lambda: expect_status(400, lambda: net.private_endpoints.begin_create_or_update(
        RG, "sdk-pe-missing", {"location": LOC, "properties": {"subnet": {"id": pe_subnet}, "privateLinkServiceConnections": [
            {"name": "c", "properties": {"privateLinkServiceId": acr_id + "missing", "groupIds": ["registry"]}}]}}).result()))
    acr_zone = f"{rg_id}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io"
    c.run("private dns zone privatelink.azurecr.io (LRO)", lambda: pdns.private_zones.begin_create_or_update(
        RG, "privatelink.azurecr.io", {"location": "global"}).result())
    group = c.run("private dns zone group create (LRO)", lambda: net.private_dns_zone_groups.begin_create_or_update(
        RG, "sdk-pe", "default", {"properties": {"privateDnsZoneConfigs": [
            {"name": "acr", "properties": {"privateDnsZoneId": acr_zone}}]}}).result())
    c.run("private dns zone group records (read-only)", lambda: assert_eq(
        [r.fqdn for r in group.private_dns_zone_configs[0].record_sets],
        ["sdkregistry1.privatelink.azurecr.io", f"sdkregistry1.{LOC}.data.privatelink.azurecr.io"]))
    c.run("private dns zone group list", lambda: assert_eq([g.name for g in net.private_dns_zone_groups.list("sdk-pe", RG)], ["default"]))
    c.run("subnet with a private endpoint in use (400)", lambda: expect_status(400, lambda: net.subnets.begin_delete(RG, "sdk-vnet2", "sdk-pe").result()))
    c.run("private dns zone group delete (LRO)", lambda: net.private_dns_zone_groups.begin_delete(RG, "sdk-pe", "default").result())
    c.run("private endpoint delete (LRO)", lambda: net.private_endpoints.begin_delete(RG, "sdk-pe").result())
    c.run("private dns zone privatelink.azurecr.io delete (LRO)", lambda: pdns.private_zones.begin_delete(
        RG, "privatelink.azurecr.io").result())
    c.run("subnet free again, delete (LRO)", lambda: net.subnets.begin_delete(RG, "sdk-vnet2", "sdk-pe").result())

    # Private DNS record sets: the compare-and-swap a run lock is built on
    zone = "privatelink.westeurope.azmk8s.io"
    lock = {"properties": {"ttl": 60, "metadata": {"holder": "sdk"}, "txtRecords": [{"value": ["sdk"]}]}}
    held = c.run("record set create-only (If-None-Match: *)", lambda: pdns.record_sets.create_or_update(
        RG, zone, "TXT", "stack-lock", lock, match_condition=MatchConditions.IfMissing))
    c.run("record set create-only refused when held (412)", lambda: expect_status(412, lambda: pdns.record_sets.create_or_update(
        RG, zone, "TXT", "stack-lock", lock, match_condition=MatchConditions.IfMissing)))
    beat = c.run("record set heartbeat (If-Match, quoted etag)", lambda: pdns.record_sets.update(
        RG, zone, "TXT", "stack-lock", {"properties": {"ttl": 61}}, etag=held.etag, match_condition=MatchConditions.IfNotModified))
    c.run("record set stale heartbeat refused (412)", lambda: expect_status(412, lambda: pdns.record_sets.update(
        RG, zone, "TXT", "stack-lock", {"properties": {"ttl": 62}}, etag=held.etag, match_condition=MatchConditions.IfNotModified)))
    c.run("record set get", lambda: assert_eq(pdns.record_sets.get(RG, zone, "TXT", "stack-lock").properties.ttl, 61))
    c.run("record set list by type", lambda: assert_eq(
        [r.name for r in pdns.record_sets.list_by_type(RG, zone, "TXT")], ["stack-lock"]))
    c.run("record set list all (with SOA)", lambda: assert_eq(
        sorted(r.name for r in pdns.record_sets.list(RG, zone)), ["@", "stack-lock"]))
    c.run("record set release (DELETE + If-Match)", lambda: pdns.record_sets.delete(
        RG, zone, "TXT", "stack-lock", etag=beat.etag, match_condition=MatchConditions.IfNotModified))
    c.run("record set gone (404)", lambda: expect_status(404, lambda: pdns.record_sets.get(RG, zone, "TXT", "stack-lock")))

    # Identity, federated credential
    uai = c.run("identity create", lambda: msi.user_assigned_identities.create_or_update(RG, "sdk-id", {"location": LOC}))
    c.run("identity update", lambda: msi.user_assigned_identities.update(RG, "sdk-id", {"tags": {"a": "b"}}))
    c.run("identity list", lambda: assert_eq(len(list(msi.user_assigned_identities.list_by_resource_group(RG))), 1))

    # Full AKS cluster
    vnet_id = f"{rg_id}/providers/Microsoft.Network/virtualNetworks/sdk-vnet"
    # Bodies in the REST shape: the newer generated SDKs send dicts as-is.
    cluster = {
        "location": LOC,
        "identity": {"type": "SystemAssigned"},
        "properties": {
            "dnsPrefix": "sdkaks",
            "kubernetesVersion": "1.33",
            "enableRBAC": True,
            "aadProfile": {"managed": True, "enableAzureRBAC": True},
            "oidcIssuerProfile": {"enabled": True},
            "securityProfile": {"workloadIdentity": {"enabled": True}},
            "networkProfile": {"networkPlugin": "azure", "networkPolicy": "azure"},
            "addonProfiles": {
                "aciConnectorLinux": {"enabled": True, "config": {"SubnetName": "aci"}},
                "omsagent": {"enabled": True, "config": {"logAnalyticsWorkspaceResourceID": ws.id if ws else "", "useAADAuth": "true"}},
            },
            "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 2, "vmSize": "Standard_D4s_v5",
                                   "vnetSubnetID": f"{vnet_id}/subnets/nodes", "enableAutoScaling": True,
                                   "minCount": 1, "maxCount": 3}],
        },
    }
    mc = c.run("cluster create (LRO)", lambda: aks.managed_clusters.begin_create_or_update(RG, "sdk-aks", cluster).result())
    c.run("cluster server values", lambda: check_cluster(mc))
    c.run("user pool create (LRO)", lambda: aks.agent_pools.begin_create_or_update(RG, "sdk-aks", "user", {"properties": {
        "mode": "User", "count": 1, "vmSize": "Standard_D8s_v5", "enableAutoScaling": True, "minCount": 0,
        "maxCount": 5, "vnetSubnetID": f"{vnet_id}/subnets/nodes"}}).result())
    c.run("pool list", lambda: assert_eq(len(list(aks.agent_pools.list(RG, "sdk-aks"))), 2))
    c.run("pool upgrade settings round-trip", lambda: assert_eq(attrs(
        aks.agent_pools.begin_create_or_update(RG, "sdk-aks", "user", {"properties": {
            "mode": "User", "count": 1, "vmSize": "Standard_D8s_v5", "enableAutoScaling": True, "minCount": 0,
            "maxCount": 5, "vnetSubnetID": f"{vnet_id}/subnets/nodes",
            "upgradeSettings": {"maxSurge": "33%", "drainTimeoutInMinutes": 45, "nodeSoakDurationInMinutes": 5}}}
        ).result().upgrade_settings, ["max_surge", "drain_timeout_in_minutes", "node_soak_duration_in_minutes"]),
        ["33%", 45, 5]))
    # Planned maintenance (MaintenanceConfigurations_*): synchronous, no pollers.
    window = {"maintenanceWindow": {"schedule": {"weekly": {"intervalWeeks": 1, "dayOfWeek": "Sunday"}},
                                    "durationHours": 4, "startTime": "00:00", "utcOffset": "+00:00"}}
    c.run("maintenance configuration create", lambda: assert_eq(
        aks.maintenance_configurations.create_or_update(
            RG, "sdk-aks", "aksManagedAutoUpgradeSchedule", {"properties": window}
        ).maintenance_window.schedule.weekly.day_of_week, "Sunday"))
    c.run("maintenance configuration get", lambda: assert_eq(
        aks.maintenance_configurations.get(RG, "sdk-aks", "aksManagedAutoUpgradeSchedule").maintenance_window.duration_hours, 4))
    c.run("maintenance configuration list", lambda: assert_eq(
        [m.name for m in aks.maintenance_configurations.list_by_managed_cluster(RG, "sdk-aks")],
        ["aksManagedAutoUpgradeSchedule"]))
    c.run("maintenance configuration delete", lambda: aks.maintenance_configurations.delete(
        RG, "sdk-aks", "aksManagedAutoUpgradeSchedule"))
    check_extensions(c, ext, flux)
    # The Key Vault secrets provider and Application Gateway ingress add-ons (config keys as the
    # official ManagedClustersCreate_AzureKeyvaultSecretsProvider example and the Azure CLI send
    # them): enabled on a PUT of the cluster, each comes back with its config and a read-only
    # identity (resourceId, clientId, objectId) that role assignments grant to.
    addon_body = dict(cluster["properties"]["addonProfiles"])
    addon_body["azureKeyvaultSecretsProvider"] = {
        "enabled": True, "config": {"enableSecretRotation": "true", "rotationPollInterval": "5m"}}
    addon_body["ingressApplicationGateway"] = {
        "enabled": True, "config": {"applicationGatewayName": "sdk-appgw", "subnetCIDR": "10.225.0.0/16"}}
    cluster["properties"]["addonProfiles"] = addon_body
    mc = c.run("cluster add-ons enabled (LRO)", lambda: aks.managed_clusters.begin_create_or_update(RG, "sdk-aks", cluster).result())
    c.run("secrets provider config round-trip", lambda: assert_eq(
        prop(mc, "addon_profiles")["azureKeyvaultSecretsProvider"].config,
        {"enableSecretRotation": "true", "rotationPollInterval": "5m"}))
    c.run("ingress gateway AKS creates in the node group", lambda: assert_true(
        prop(mc, "addon_profiles")["ingressApplicationGateway"].config["effectiveApplicationGatewayId"].endswith(
            f"/resourceGroups/MC_{RG}_sdk-aks_{LOC}/providers/Microsoft.Network/applicationGateways/sdk-appgw")))
    c.run("add-on identities (read-only)", lambda: check_addon_identities(
        prop(aks.managed_clusters.get(RG, "sdk-aks"), "addon_profiles")))
    addon_body["azureKeyvaultSecretsProvider"] = {"enabled": False}
    addon_body["ingressApplicationGateway"] = {"enabled": False}
    mc = c.run("cluster add-ons disabled (LRO)", lambda: aks.managed_clusters.begin_create_or_update(RG, "sdk-aks", cluster).result())
    c.run("a disabled add-on has no identity", lambda: assert_eq(
        prop(mc, "addon_profiles")["azureKeyvaultSecretsProvider"].identity, None))
    # Managed Prometheus (ManagedClusterAzureMonitorProfile, AKS 2026-08-01): metrics on without
    # allowlists come back with both as "" (Learn's `az aks update --enable-azure-monitor-metrics`
    # output); `metrics.enabled` is required.
    cluster["properties"]["azureMonitorProfile"] = {"metrics": {"enabled": True}}
    mc = c.run("cluster managed Prometheus on (LRO)", lambda: aks.managed_clusters.begin_create_or_update(RG, "sdk-aks", cluster).result())
    c.run("kube-state-metrics allowlists answered empty", lambda: assert_eq(
        [prop(mc, "azure_monitor_profile").metrics.kube_state_metrics.metric_labels_allowlist,
         prop(mc, "azure_monitor_profile").metrics.kube_state_metrics.metric_annotations_allow_list], ["", ""]))
    no_enabled = {**cluster, "properties": {**cluster["properties"], "azureMonitorProfile": {"metrics": {}}}}
    c.run("managed Prometheus without metrics.enabled refused (400)", lambda: expect_status(400, lambda: aks.managed_clusters.begin_create_or_update(
        RG, "sdk-aks", no_enabled).result()))
    cluster["properties"]["azureMonitorProfile"] = {"metrics": {"enabled": False}}
    mc = c.run("cluster managed Prometheus off (LRO)", lambda: aks.managed_clusters.begin_create_or_update(RG, "sdk-aks", cluster).result())
    c.run("metrics off", lambda: assert_eq(prop(mc, "azure_monitor_profile").metrics.enabled, False))
    del cluster["properties"]["azureMonitorProfile"]
    check_policy_assignments(c, policy, rg_id)
    c.run("cluster update tags (LRO)", lambda: aks.managed_clusters.begin_update_tags(RG, "sdk-aks", {"tags": {"a": "b"}}).result())
    c.run("cluster list", lambda: assert_eq(len(list(aks.managed_clusters.list_by_resource_group(RG))), 1))

    # AKS operations beyond CRUD
    # The cluster has managed AAD: the admin credential is static, the user credential uses kubelogin.
    c.run("cluster admin credentials", lambda: assert_true(
        b"client-certificate-data" in aks.managed_clusters.list_cluster_admin_credentials(RG, "sdk-aks").kubeconfigs[0].value))
    c.run("cluster user credentials (kubelogin)", lambda: assert_true(
        b"kubelogin" in aks.managed_clusters.list_cluster_user_credentials(RG, "sdk-aks").kubeconfigs[0].value))
    c.run("cluster upgrade profile", lambda: assert_eq(
        [u.kubernetes_version for u in prop(aks.managed_clusters.get_upgrade_profile(RG, "sdk-aks"), "control_plane_profile").upgrades],
        ["1.34.1"]))
    c.run("pool upgrade profile", lambda: assert_eq(
        prop(aks.agent_pools.get_upgrade_profile(RG, "sdk-aks", "user"), "kubernetes_version"), "1.33.5"))
    c.run("cluster stop (LRO)", lambda: aks.managed_clusters.begin_stop(RG, "sdk-aks").result())
    c.run("cluster stopped", lambda: assert_eq(
        prop(aks.managed_clusters.get(RG, "sdk-aks"), "power_state").code, "Stopped"))
    c.run("cluster start (LRO)", lambda: aks.managed_clusters.begin_start(RG, "sdk-aks").result())
    c.run("cluster abort with nothing running", lambda: aks.managed_clusters.begin_abort_latest_operation(RG, "sdk-aks").result())
    stale = MatchConditions.IfNotModified
    c.run("cluster update with a stale eTag refused (412)", lambda: expect_status(412, lambda: aks.managed_clusters.begin_update_tags(
        RG, "sdk-aks", {"tags": {"a": "c"}}, etag="5e5ffdce-356b-431b-b050-81b45eef2a12", match_condition=stale)))

    # Generic resource list with $filter
    c.run("resources filtered by type", lambda: assert_eq(
        sorted(r.name for r in res.resources.list_by_resource_group(RG, filter="resourceType eq 'Microsoft.Network/privateDnsZones'")),
        ["privatelink.westeurope.azmk8s.io"]))
    c.run("resources include private DNS links", lambda: assert_true(any(
        r.type == "Microsoft.Network/privateDnsZones/virtualNetworkLinks" for r in res.resources.list_by_resource_group(RG))))
    c.run("resources filtered by tag", lambda: assert_true(all(
        r.tags is None for r in res.resources.list_by_resource_group(RG, filter="tagName eq 'a' and tagValue eq 'b'"))))
    c.run("unsupported filter refused (400)", lambda: expect_status(400, lambda: list(
        res.resources.list_by_resource_group(RG, filter="kind eq 'x'"))))

    # Public IP addresses
    c.run("public IP create (LRO)", lambda: assert_eq(net.public_ip_addresses.begin_create_or_update(
        RG, "sdk-ip", {"location": LOC, "sku": {"name": "Standard"}}).result().public_ip_allocation_method, "Static"))
    c.run("public IP delete (LRO)", lambda: net.public_ip_addresses.begin_delete(RG, "sdk-ip").result())

    issuer = prop(mc, "oidc_issuer_profile").issuer_url if mc else "https://example/"
    c.run("federated credential create", lambda: msi.federated_identity_credentials.create_or_update(
        RG, "sdk-id", "sdk-fic", {"properties": {"issuer": issuer, "subject": "system:serviceaccount:default:app",
                                                 "audiences": ["api://AzureADTokenExchange"]}}))
    c.run("federated credential list", lambda: assert_eq(len(list(msi.federated_identity_credentials.list(RG, "sdk-id"))), 1))

    # Role assignment: AcrPull for the kubelet identity on the registry
    acr_id = f"{rg_id}/providers/Microsoft.ContainerRegistry/registries/sdkregistry1"
    kubelet = prop(mc, "identity_profile")["kubeletidentity"].object_id if mc else "00000000-0000-0000-0000-000000000001"
    ra_name = "8d3c5e6b-0000-4000-8000-000000000001"
    c.run("role assignment create", lambda: auth.role_assignments.create(acr_id, ra_name, {"properties": {
        "roleDefinitionId": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{ACR_PULL}",
        "principalId": kubelet, "principalType": "ServicePrincipal"}}))
    c.run("role assignment get", lambda: assert_eq(auth.role_assignments.get(acr_id, ra_name).principal_id, kubelet))
    c.run("role assignment list", lambda: assert_eq(len(list(auth.role_assignments.list_for_scope(acr_id))), 1))

    check_key_vaults(c, kv, auth, rg_id)
    check_storage_accounts(c, storage, net, res, rg_id)

    # Diagnostic settings (azure-mgmt-monitor's DiagnosticSettings operations, 2021-05-01-preview):
    # the registry sends its logs and metrics to the workspace; refusals; gone with the registry
    check_diagnostic_settings(c, monitor_diag, acr, rg_id)

    # Azure Resource Graph: the estate in pages, the table format, the quota headers
    c.run("resource graph pages through the group", lambda: check_graph_pages(graph))
    c.run("resource graph table format", lambda: check_graph_table(graph))
    c.run("resource graph invalid query refused (400)", lambda: expect_status(400, lambda: graph.resources(
        QueryRequest(subscriptions=[SUB], query="Resources | summarize count() by location"))))

    # Activity Log: the writes above, read back through ActivityLogs_List
    c.run("activity log lists the cluster writes", lambda: check_activity(monitor, started))
    c.run("activity log without a start time refused (400)", lambda: expect_status(400, lambda: list(
        monitor.activity_logs.list(filter=f"resourceGroupName eq '{RG}'"))))

    # Public IPs and prefixes of the user's own, as a cluster's outbound addresses (after the
    # activity log check, which counts the one cluster's writes)
    check_public_ips(c, net, aks, rg_id)

    # Deletes, each through the SDK's pollers
    c.run("role assignment delete", lambda: auth.role_assignments.delete(acr_id, ra_name))
    c.run("federated credential delete", lambda: msi.federated_identity_credentials.delete(RG, "sdk-id", "sdk-fic"))
    c.run("user pool delete (LRO)", lambda: aks.agent_pools.begin_delete(RG, "sdk-aks", "user").result())
    c.run("cluster delete (LRO)", lambda: aks.managed_clusters.begin_delete(RG, "sdk-aks").result())
    c.run("identity delete", lambda: msi.user_assigned_identities.delete(RG, "sdk-id"))
    c.run("private dns zone link delete (LRO)", lambda: pdns.virtual_network_links.begin_delete(
        RG, "privatelink.westeurope.azmk8s.io", "sdk-link").result())
    c.run("private dns zone delete (LRO)", lambda: pdns.private_zones.begin_delete(RG, "privatelink.westeurope.azmk8s.io").result())
    c.run("dns zone delete (LRO)", lambda: dns.zones.begin_delete(RG, "sdk.example.com").result())
    c.run("vnet delete (LRO)", lambda: net.virtual_networks.begin_delete(RG, "sdk-vnet").result())
    c.run("second vnet delete (LRO)", lambda: net.virtual_networks.begin_delete(RG, "sdk-vnet2").result())
    c.run("workspace delete (LRO)", lambda: la.workspaces.begin_delete(RG, "sdk-logs", force=True).result())
    c.run("registry delete (LRO)", lambda: acr.registries.begin_delete(RG, "sdkregistry1").result())
    c.run("resource group delete (LRO)", lambda: res.resource_groups.begin_delete(RG).result())
    c.run("resource group gone", lambda: assert_eq(res.resource_groups.check_existence(RG), False))

    proc.terminate()
    proc.wait(timeout=10)

    # Sign-in end to end: azure-identity (MSAL underneath) against the emulator's Entra endpoint,
    # with ARM checking the tokens (--strict-auth).
    strict, strict_endpoint, strict_ca = start_emulator(binary, tempfile.mkdtemp(prefix="azplan-sdk-strict-"), "--strict-auth")
    from azure.identity import ClientSecretCredential
    sp = ClientSecretCredential(TENANT, "11111111-2222-3333-4444-555555555555", "a-secret",
                                authority=strict_endpoint, connection_verify=strict_ca,
                                disable_instance_discovery=True)
    signed = ResourceManagementClient(sp, SUB, base_url=strict_endpoint, connection_verify=strict_ca)
    c.run("sign in with a client secret (strict ARM)", lambda: signed.resource_groups.create_or_update("sdk-signed-in", {"location": LOC}))
    loose = ResourceManagementClient(cred, SUB, base_url=strict_endpoint, connection_verify=strict_ca)
    c.run("a made-up token is refused by strict ARM (401)", lambda: expect_status(401, lambda: loose.resource_groups.get("sdk-signed-in")))
    strict.terminate()
    strict.wait(timeout=10)
    print(f"{c.passed} passed, {c.failed} failed")
    return 0 if c.failed == 0 else 1


def check_graph_pages(graph):
    query = f"Resources | where resourceGroup =~ '{RG}' | project id, name, type | order by name asc"
    seen, token, quota = [], None, []
    hook = lambda response: quota.append(response.http_response.headers.get("x-ms-user-quota-remaining"))
    for _ in range(20):
        options = QueryRequestOptions(skip_token=token) if token else QueryRequestOptions(top=3)
        page = graph.resources(QueryRequest(subscriptions=[SUB], query=query, options=options), raw_response_hook=hook)
        assert page.result_truncated == "false", page.result_truncated
        seen.extend(row["name"] for row in page.data)
        token = page.skip_token
        if not token:
            break
    assert page.total_records == len(seen), (page.total_records, seen)
    assert seen == sorted(seen), seen
    assert "sdk-aks" in seen and "sdk-vnet" in seen, seen
    assert all(q is not None and q.isdigit() for q in quota), quota


def vault_body(**extra):
    props = {"tenantId": TENANT, "sku": {"family": "A", "name": "standard"},
             "enableRbacAuthorization": True, "softDeleteRetentionInDays": 7}
    props.update(extra)
    return {"location": LOC, "properties": props}


def check_public_ips(c, net, aks, rg_id):
    """Public IP prefixes and addresses as azplan writes them (Standard, static, zones, drawn from
    a prefix), a cluster whose load balancer uses them as its own outbound addresses, and a NAT
    gateway on them associated with a subnet."""
    prefix_id = f"{rg_id}/providers/Microsoft.Network/publicIPPrefixes/sdk-prefix"
    ip_id = f"{rg_id}/providers/Microsoft.Network/publicIPAddresses/sdk-egress"
    c.run("public IP prefix create (LRO)", lambda: assert_eq(net.public_ip_prefixes.begin_create_or_update(
        RG, "sdk-prefix", {"location": LOC, "sku": {"name": "Standard", "tier": "Regional"}, "zones": ["1", "2", "3"],
                           "properties": {"prefixLength": 30, "publicIPAddressVersion": "IPv4"}}).result().prefix_length, 30))
    c.run("public IP prefix get has its range", lambda: assert_true(
        net.public_ip_prefixes.get(RG, "sdk-prefix").ip_prefix.endswith("/30")))
    c.run("public IP prefix of a bad length refused (400)", lambda: expect_status(400, lambda: net.public_ip_prefixes.begin_create_or_update(
        RG, "sdk-prefix-big", {"location": LOC, "sku": {"name": "Standard"}, "properties": {"prefixLength": 16}}).result()))
    c.run("public IP from the prefix create (LRO)", lambda: assert_eq(net.public_ip_addresses.begin_create_or_update(
        RG, "sdk-egress", {"location": LOC, "sku": {"name": "Standard", "tier": "Regional"}, "zones": ["1", "2", "3"],
                           "properties": {"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4",
                                          "idleTimeoutInMinutes": 10, "publicIPPrefix": {"id": prefix_id}}}).result().idle_timeout_in_minutes, 10))
    c.run("public IP get has its address and prefix", lambda: assert_true(
        (lambda ip: ip.ip_address and ip.public_ip_prefix.id.lower() == prefix_id.lower() and ip.zones == ["1", "2", "3"])(
            net.public_ip_addresses.get(RG, "sdk-egress"))))
    c.run("public IP update tags", lambda: assert_eq(
        net.public_ip_addresses.update_tags(RG, "sdk-egress", {"tags": {"a": "b"}}).tags, {"a": "b"}))
    c.run("public IP list", lambda: assert_true(any(i.name == "sdk-egress" for i in net.public_ip_addresses.list(RG))))
    c.run("public IP prefix list", lambda: assert_eq([p.name for p in net.public_ip_prefixes.list(RG)], ["sdk-prefix"]))

    def cluster(outbound):
        return {"location": LOC, "identity": {"type": "SystemAssigned"}, "properties": {
            "dnsPrefix": "sdkbyo", "networkProfile": {"networkPlugin": "azure", "loadBalancerProfile": outbound},
            "agentPoolProfiles": [{"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4s_v5"}]}}
    missing = f"{rg_id}/providers/Microsoft.Network/publicIPAddresses/sdk-missing"
    c.run("cluster with a missing outbound IP refused (400)", lambda: expect_status(400, lambda: aks.managed_clusters.begin_create_or_update(
        RG, "sdk-byo", cluster({"outboundIPs": {"publicIPs": [{"id": missing}]}})).result()))
    c.run("cluster with two ways of outbound IPs refused (400)", lambda: expect_status(400, lambda: aks.managed_clusters.begin_create_or_update(
        RG, "sdk-byo", cluster({"managedOutboundIPs": {"count": 2}, "outboundIPs": {"publicIPs": [{"id": ip_id}]}})).result()))
    byo = c.run("cluster on its own outbound IP create (LRO)", lambda: aks.managed_clusters.begin_create_or_update(
        RG, "sdk-byo", cluster({"outboundIPs": {"publicIPs": [{"id": ip_id}]}})).result())
    c.run("cluster's effective outbound IPs are its own", lambda: assert_eq(
        [r.id.lower() for r in prop(byo, "network_profile").load_balancer_profile.effective_outbound_i_ps], [ip_id.lower()]))
    c.run("cluster's own outbound IPs, no managed count", lambda: assert_true(
        prop(byo, "network_profile").load_balancer_profile.managed_outbound_i_ps is None))
    c.run("cluster on its own prefix update (LRO)", lambda: assert_eq(
        [r.id.lower() for r in prop(aks.managed_clusters.begin_create_or_update(
            RG, "sdk-byo", cluster({"outboundIPPrefixes": {"publicIPPrefixes": [{"id": prefix_id}]}})).result(),
            "network_profile").load_balancer_profile.effective_outbound_i_ps], [prefix_id.lower()]))
    c.run("cluster on its own IPs delete (LRO)", lambda: aks.managed_clusters.begin_delete(RG, "sdk-byo").result())

    # A NAT gateway on the address and the prefix, associated with a subnet
    nat_id = f"{rg_id}/providers/Microsoft.Network/natGateways/sdk-nat"
    c.run("NAT gateway create (LRO)", lambda: assert_eq(net.nat_gateways.begin_create_or_update(
        RG, "sdk-nat", {"location": LOC, "sku": {"name": "Standard"}, "zones": ["1"],
                        "properties": {"idleTimeoutInMinutes": 10, "publicIpAddresses": [{"id": ip_id}],
                                       "publicIpPrefixes": [{"id": prefix_id}]}}).result().idle_timeout_in_minutes, 10))
    c.run("NAT gateway default idle timeout", lambda: assert_eq(net.nat_gateways.begin_create_or_update(
        RG, "sdk-nat2", {"location": LOC, "sku": {"name": "Standard"}}).result().idle_timeout_in_minutes, 4))
    c.run("NAT gateway on a missing address refused (400)", lambda: expect_status(400, lambda: net.nat_gateways.begin_create_or_update(
        RG, "sdk-nat3", {"location": LOC, "sku": {"name": "Standard"}, "properties": {"publicIpAddresses": [
            {"id": f"{rg_id}/providers/Microsoft.Network/publicIPAddresses/sdk-missing"}]}}).result()))
    c.run("subnet associated with the NAT gateway (LRO)", lambda: assert_eq(net.subnets.begin_create_or_update(
        RG, "sdk-vnet", "natted", {"properties": {"addressPrefix": "10.0.20.0/24", "natGateway": {"id": nat_id}}}).result().nat_gateway.id.lower(),
        nat_id.lower()))
    c.run("NAT gateway get lists its subnet", lambda: assert_eq(
        [s.id.split("/")[-1] for s in net.nat_gateways.get(RG, "sdk-nat").subnets], ["natted"]))
    c.run("NAT gateway update tags", lambda: assert_eq(net.nat_gateways.update_tags(RG, "sdk-nat", {"tags": {"a": "b"}}).tags, {"a": "b"}))
    c.run("NAT gateway list", lambda: assert_eq(sorted(n.name for n in net.nat_gateways.list(RG)), ["sdk-nat", "sdk-nat2"]))
    c.run("NAT gateway in use: delete refused (400)", lambda: expect_status(400, lambda: net.nat_gateways.begin_delete(RG, "sdk-nat").result()))
    c.run("subnet delete (LRO)", lambda: net.subnets.begin_delete(RG, "sdk-vnet", "natted").result())
    c.run("NAT gateway delete (LRO)", lambda: net.nat_gateways.begin_delete(RG, "sdk-nat").result())
    c.run("second NAT gateway delete (LRO)", lambda: net.nat_gateways.begin_delete(RG, "sdk-nat2").result())
    c.run("public IP from the prefix delete (LRO)", lambda: net.public_ip_addresses.begin_delete(RG, "sdk-egress").result())
    c.run("public IP prefix delete (LRO)", lambda: net.public_ip_prefixes.begin_delete(RG, "sdk-prefix").result())


def check_key_vaults(c, kv, auth, rg_id):
    """Vaults through the SDK's own operations: create (LRO), read, update, list, name checks, a
    role assignment on the vault, soft delete, recovery, purge, and the refusals."""
    vaults = kv.vaults
    c.run("key vault create (LRO)", lambda: assert_eq(vaults.begin_create_or_update(
        RG, "sdk-kv-1", vault_body(networkAcls={"defaultAction": "Deny", "bypass": "AzureServices",
                                                "ipRules": [{"value": "203.0.113.7"}]})).result()
        .properties.provisioning_state, "Succeeded"))
    c.run("key vault get", lambda: assert_eq(vaults.get(RG, "sdk-kv-1").properties.vault_uri,
                                             "https://sdk-kv-1.vault.azure.net/"))
    c.run("key vault address rule stored as a /32", lambda: assert_eq(
        vaults.get(RG, "sdk-kv-1").properties.network_acls.ip_rules[0].value, "203.0.113.7/32"))
    c.run("key vault update (PATCH)", lambda: assert_eq(vaults.update(
        RG, "sdk-kv-1", {"tags": {"team": "sdk"}, "properties": {"publicNetworkAccess": "Disabled"}})
        .properties.public_network_access, "Disabled"))
    c.run("key vault list by group", lambda: assert_eq([v.name for v in vaults.list_by_resource_group(RG)], ["sdk-kv-1"]))
    c.run("key vault list by subscription", lambda: assert_true(
        any(v.name == "sdk-kv-1" for v in vaults.list_by_subscription())))
    c.run("key vault name taken", lambda: assert_eq(vaults.check_name_availability(
        {"name": "sdk-kv-1", "type": "Microsoft.KeyVault/vaults"}).name_available, False))
    vault_id = f"{rg_id}/providers/Microsoft.KeyVault/vaults/sdk-kv-1"
    ra_name = "8d3c5e6b-0000-4000-8000-000000000002"
    c.run("role assignment on the vault (Key Vault Secrets User)", lambda: auth.role_assignments.create(
        vault_id, ra_name, {"properties": {
            "roleDefinitionId": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{KEY_VAULT_SECRETS_USER}",
            "principalId": "00000000-0000-0000-0000-000000000002", "principalType": "ServicePrincipal"}}))
    c.run("purge protection cannot be turned off (400)", lambda: expect_status(400, lambda: vaults.begin_create_or_update(
        RG, "sdk-kv-1", vault_body(enablePurgeProtection=False)).result()))
    c.run("soft-delete retention is fixed (400)", lambda: expect_status(400, lambda: vaults.begin_create_or_update(
        RG, "sdk-kv-1", vault_body(softDeleteRetentionInDays=30)).result()))
    c.run("key vault delete", lambda: vaults.delete(RG, "sdk-kv-1"))
    c.run("deleted vault get", lambda: assert_eq(vaults.get_deleted("sdk-kv-1", LOC).properties.vault_id.lower(), vault_id.lower()))
    c.run("deleted vault list", lambda: assert_true(any(d.name == "sdk-kv-1" for d in vaults.list_deleted())))
    c.run("soft-deleted name is taken", lambda: assert_eq(vaults.check_name_availability(
        {"name": "sdk-kv-1", "type": "Microsoft.KeyVault/vaults"}).reason, "AlreadyExists"))
    c.run("creating over a soft-deleted vault is refused (409)", lambda: expect_status(409, lambda: vaults.begin_create_or_update(
        RG, "sdk-kv-1", vault_body()).result()))
    c.run("key vault recovered (createMode recover)", lambda: assert_eq(vaults.begin_create_or_update(
        RG, "sdk-kv-1", {"location": LOC, "properties": {"createMode": "recover", "tenantId": TENANT,
                                                         "sku": {"family": "A", "name": "standard"}}}).result()
        .tags, {"team": "sdk"}))
    c.run("key vault deleted again", lambda: vaults.delete(RG, "sdk-kv-1"))
    c.run("deleted vault purged (LRO)", lambda: vaults.begin_purge_deleted("sdk-kv-1", LOC).result())
    c.run("purged name is free", lambda: assert_eq(vaults.check_name_availability(
        {"name": "sdk-kv-1", "type": "Microsoft.KeyVault/vaults"}).name_available, True))
    c.run("purge-protected vault created", lambda: vaults.begin_create_or_update(
        RG, "sdk-kv-2", vault_body(enablePurgeProtection=True)).result())
    c.run("purge-protected vault deleted", lambda: vaults.delete(RG, "sdk-kv-2"))
    c.run("purge-protected vault cannot be purged (405)", lambda: expect_status(405, lambda: vaults.begin_purge_deleted(
        "sdk-kv-2", LOC).result()))


def check_storage_accounts(c, storage, net, res, rg_id):
    """Storage accounts through azure-mgmt-storage (api 2026-09-01): the create's LRO (202 +
    Location, no body), read, PUT and PATCH updates, lists, the name check, network rules with a
    subnet, and the refusals (a taken name, a subnet without the service endpoint, a premium
    move, a hierarchical namespace change)."""
    accounts = storage.storage_accounts
    c.run("storage vnet with a Microsoft.Storage endpoint (LRO)", lambda: net.virtual_networks.begin_create_or_update(
        RG, "sdk-st-vnet", {"location": LOC, "properties": {
            "addressSpace": {"addressPrefixes": ["10.60.0.0/16"]},
            "subnets": [{"name": "with", "properties": {"addressPrefix": "10.60.0.0/24",
                                                        "serviceEndpoints": [{"service": "Microsoft.Storage"}]}},
                        {"name": "without", "properties": {"addressPrefix": "10.60.1.0/24"}}]}}).result())
    subnet = f"{rg_id}/providers/Microsoft.Network/virtualNetworks/sdk-st-vnet/subnets"
    # Request bodies as dicts are sent as written: ARM's wire names.
    body = {"location": LOC, "kind": "StorageV2", "sku": {"name": "Standard_ZRS"},
            "properties": {"minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False,
                           "networkAcls": {"defaultAction": "Deny", "bypass": "AzureServices",
                                           "ipRules": [{"value": "203.0.113.7"}],
                                           "virtualNetworkRules": [{"id": f"{subnet}/with"}]}}}

    def with_props(**props):
        return dict(body, properties=dict(body["properties"], **props))

    c.run("storage name free", lambda: assert_eq(accounts.check_name_availability(
        {"name": "sdkstorage1", "type": "Microsoft.Storage/storageAccounts"}).name_available, True))
    c.run("storage name invalid", lambda: assert_eq(accounts.check_name_availability(
        {"name": "SDK-Storage", "type": "Microsoft.Storage/storageAccounts"}).reason, "AccountNameInvalid"))
    c.run("storage account create (LRO, 202)", lambda: assert_eq(accounts.begin_create(
        RG, "sdkstorage1", body).result().provisioning_state, "Succeeded"))
    got = c.run("storage account get", lambda: accounts.get_properties(RG, "sdkstorage1"))
    c.run("storage account endpoints and defaults", lambda: assert_eq(
        (got.primary_endpoints.blob, got.sku.tier, got.access_tier, got.enable_https_traffic_only,
         got.network_rule_set.virtual_network_rules[0].state),
        ("https://sdkstorage1.blob.core.windows.net/", "Standard", "Hot", True, "Succeeded")))
    c.run("storage account update by PUT (200)", lambda: assert_eq(accounts.begin_create(
        RG, "sdkstorage1", with_props(minimumTlsVersion="TLS1_1")).result().minimum_tls_version, "TLS1_1"))
    c.run("storage account update (PATCH)", lambda: assert_eq(accounts.update(
        RG, "sdkstorage1", {"tags": {"team": "sdk"}, "properties": {"allowSharedKeyAccess": False},
                            "sku": {"name": "Standard_GZRS"}}).sku.name, "Standard_GZRS"))
    c.run("storage account PUT keeps what it leaves out", lambda: assert_eq(accounts.begin_create(
        RG, "sdkstorage1", {"location": LOC, "kind": "StorageV2", "sku": {"name": "Standard_GZRS"}}).result()
        .allow_shared_key_access, False))
    c.run("storage account list by group", lambda: assert_eq([a.name for a in accounts.list_by_resource_group(RG)], ["sdkstorage1"]))
    c.run("storage account list by subscription", lambda: assert_true(any(a.name == "sdkstorage1" for a in accounts.list())))
    c.run("storage name taken", lambda: assert_eq(accounts.check_name_availability(
        {"name": "sdkstorage1", "type": "Microsoft.Storage/storageAccounts"}).reason, "AlreadyExists"))
    c.run("second group", lambda: res.resource_groups.create_or_update("sdk-rg-other", {"location": LOC}))
    c.run("storage name held in another group (409 StorageAccountAlreadyTaken)", lambda: expect_status(409, lambda: accounts.begin_create(
        "sdk-rg-other", "sdkstorage1", body).result()))
    c.run("second group deleted (LRO)", lambda: res.resource_groups.begin_delete("sdk-rg-other").result())
    c.run("subnet without the service endpoint refused (400)", lambda: expect_status(400, lambda: accounts.begin_create(
        RG, "sdkstorage2", with_props(networkAcls={"defaultAction": "Deny", "virtualNetworkRules": [
            {"id": f"{subnet}/without"}]})).result()))
    c.run("private IP rule refused (400)", lambda: expect_status(400, lambda: accounts.begin_create(
        RG, "sdkstorage2", with_props(networkAcls={"defaultAction": "Deny", "ipRules": [{"value": "10.1.2.3"}]})).result()))
    c.run("standard to premium refused (400)", lambda: expect_status(400, lambda: accounts.update(
        RG, "sdkstorage1", {"sku": {"name": "Premium_LRS"}})))
    c.run("hierarchical namespace change refused (400)", lambda: expect_status(400, lambda: accounts.begin_create(
        RG, "sdkstorage1", dict(with_props(isHnsEnabled=True), sku={"name": "Standard_GZRS"})).result()))
    c.run("premium block blob account (LRO)", lambda: assert_eq(accounts.begin_create(
        RG, "sdkstorage3", {"location": LOC, "kind": "BlockBlobStorage", "sku": {"name": "Premium_LRS"}}).result()
        .access_tier, "Premium"))
    c.run("storage account delete", lambda: accounts.delete(RG, "sdkstorage1"))
    c.run("storage account delete again (204)", lambda: accounts.delete(RG, "sdkstorage1"))
    c.run("storage account gone (404)", lambda: expect_status(404, lambda: accounts.get_properties(RG, "sdkstorage1")))
    c.run("premium block blob account delete", lambda: accounts.delete(RG, "sdkstorage3"))
    c.run("storage vnet delete (LRO)", lambda: net.virtual_networks.begin_delete(RG, "sdk-st-vnet").result())


def check_graph_table(graph):
    page = graph.resources(QueryRequest(
        subscriptions=[SUB], query="Resources | where type =~ 'Microsoft.ContainerService/managedClusters' | project name, type",
        options=QueryRequestOptions(result_format="table")))
    assert page.data["columns"] == [{"name": "name", "type": "string"}, {"name": "type", "type": "string"}], page.data
    assert page.data["rows"] == [["sdk-aks", "microsoft.containerservice/managedclusters"]], page.data


def check_activity(monitor, started):
    events = list(monitor.activity_logs.list(
        filter=f"eventTimestamp ge '{started}' and resourceGroupName eq '{RG}'",
        select="operationName,status,resourceId,correlationId"))
    writes = [e for e in events if e.operation_name.value == "Microsoft.ContainerService/managedClusters/write"]
    assert writes, [e.operation_name.value for e in events][:20]
    assert {e.status.value for e in writes} >= {"Started", "Succeeded"}, {e.status.value for e in writes}
    assert all(e.resource_id.endswith("/managedClusters/sdk-aks") for e in writes)
    assert events[0].caller is None, "only the selected properties"


def check_policy_assignments(c, policy, rg_id):
    """Policy assignments (PolicyAssignments_*, azure-mgmt-resource-policy, api 2026-06-01): at the
    subscription, a group (with a system-assigned identity) and the cluster; synchronous."""
    sub_id = f"/subscriptions/{SUB}"
    cluster_id = f"{rg_id}/providers/Microsoft.ContainerService/managedClusters/sdk-aks"
    locations = "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c"
    baseline = "/providers/Microsoft.Authorization/policySetDefinitions/a8640138-9b0a-4a28-b8cb-1666c838647d"
    c.run("policy assignment create (subscription)", lambda: assert_eq(prop(policy.policy_assignments.create(
        sub_id, "sdk-locations", {"properties": {
            "policyDefinitionId": locations, "enforcementMode": "DoNotEnforce",
            "parameters": {"listOfAllowedLocations": {"value": [LOC]}}}}), "enforcement_mode"), "DoNotEnforce"))
    created = c.run("policy assignment create with identity (group)", lambda: policy.policy_assignments.create(
        rg_id, "sdk-https", {"location": LOC, "identity": {"type": "SystemAssigned"}, "properties": {
            "policyDefinitionId": locations, "metadata": {"azplan-stack": "sdk"},
            "nonComplianceMessages": [{"message": "only here"}]}}))
    c.run("policy assignment identity has a principal", lambda: assert_true(created.identity.principal_id))
    c.run("policy assignment create (cluster)", lambda: assert_eq(prop(policy.policy_assignments.create(
        cluster_id, "sdk-baseline", {"properties": {
            "policyDefinitionId": baseline, "parameters": {"effect": {"value": "Audit"}}}}), "scope"), cluster_id))
    c.run("policy assignment get", lambda: assert_eq(
        prop(policy.policy_assignments.get(rg_id, "sdk-https"), "metadata")["azplan-stack"], "sdk"))
    c.run("policy assignment defaults", lambda: assert_eq(attrs(policy.policy_assignments.get(
        cluster_id, "sdk-baseline").properties, ["enforcement_mode", "not_scopes"]), ["Default", []]))
    c.run("policy assignment update keeps its instance ID", lambda: assert_eq(
        prop(policy.policy_assignments.create(rg_id, "sdk-https", {
            "location": LOC, "identity": {"type": "SystemAssigned"}, "properties": {
                "policyDefinitionId": locations, "displayName": "HTTPS"}}), "instance_id"),
        prop(created, "instance_id")))
    c.run("policy assignment list (subscription)", lambda: assert_eq(sorted(
        a.name for a in policy.policy_assignments.list()), ["sdk-baseline", "sdk-https", "sdk-locations"]))
    c.run("policy assignment list at exact scope", lambda: assert_eq(
        [a.name for a in policy.policy_assignments.list_for_resource_group(RG, filter="atExactScope()")],
        ["sdk-https"]))
    c.run("policy assignment list by definition", lambda: assert_eq(sorted(
        a.name for a in policy.policy_assignments.list(filter=f"policyDefinitionId eq '{locations}'")),
        ["sdk-https", "sdk-locations"]))
    c.run("policy assignment with identity needs a location (400)", lambda: expect_status(
        400, lambda: policy.policy_assignments.create(sub_id, "sdk-nolocation", {
            "identity": {"type": "SystemAssigned"}, "properties": {"policyDefinitionId": locations}})))
    for scope, name in [(sub_id, "sdk-locations"), (rg_id, "sdk-https"), (cluster_id, "sdk-baseline")]:
        c.run(f"policy assignment delete {name}", lambda scope=scope, name=name: assert_eq(
            policy.policy_assignments.delete(scope, name).name, name))
    c.run("policy assignment delete again (204)", lambda: assert_eq(
        policy.policy_assignments.delete(sub_id, "sdk-locations"), None))
    c.run("policy assignment gone (404)", lambda: expect_status(
        404, lambda: policy.policy_assignments.get(sub_id, "sdk-locations")))
def monitor6_client(cred, common):
    """A MonitorManagementClient of azure-mgmt-monitor 6.0.2, from AZPLAN_MONITOR6 (a pip --target
    directory), imported as its own package so it does not replace the 7.x one."""
    import importlib.util
    root = os.path.join(os.environ["AZPLAN_MONITOR6"], "azure", "mgmt", "monitor")
    spec = importlib.util.spec_from_file_location(
        "azplan_monitor6", os.path.join(root, "__init__.py"), submodule_search_locations=[root])
    module = importlib.util.module_from_spec(spec)
    sys.modules["azplan_monitor6"] = module
    spec.loader.exec_module(module)
    return module.MonitorManagementClient(cred, SUB, **common)


def check_rule_associations(c, monitor, acr, rg_id):
    target = f"{rg_id}/providers/Microsoft.ContainerRegistry/registries/sdkdcra"
    rule_id = f"{rg_id}/providers/Microsoft.Insights/dataCollectionRules/sdk-ci"
    c.run("registry for rule associations (LRO)", lambda: acr.registries.begin_create(
        RG, "sdkdcra", {"location": LOC, "sku": {"name": "Basic"}}).result())
    body = {"properties": {"dataCollectionRuleId": rule_id}}
    c.run("rule association create (201)", lambda: assert_eq(
        monitor.data_collection_rule_associations.create(target, "ci", body).data_collection_rule_id, rule_id))
    c.run("rule association update (200)", lambda: assert_eq(
        monitor.data_collection_rule_associations.create(
            target, "ci", {"properties": {"dataCollectionRuleId": rule_id, "description": "CI"}}).description, "CI"))
    c.run("rule association get", lambda: assert_eq(
        monitor.data_collection_rule_associations.get(target, "ci").provisioning_state, "Succeeded"))
    c.run("rule association list by resource", lambda: assert_eq(
        [a.name for a in monitor.data_collection_rule_associations.list_by_resource(target)], ["ci"]))
    c.run("rule association list by rule", lambda: assert_eq(
        [a.name for a in monitor.data_collection_rule_associations.list_by_rule(RG, "sdk-ci")], ["ci"]))
    c.run("rule association to a missing rule refused (404)", lambda: expect_status(404, lambda: (
        monitor.data_collection_rule_associations.create(target, "gone", {"properties": {
            "dataCollectionRuleId": f"{rg_id}/providers/Microsoft.Insights/dataCollectionRules/gone"}}))))
    c.run("rule association on a missing resource refused (404)", lambda: expect_status(404, lambda: (
        monitor.data_collection_rule_associations.create(
            f"{rg_id}/providers/Microsoft.ContainerRegistry/registries/nothere", "ci", body))))
    c.run("rule association delete", lambda: monitor.data_collection_rule_associations.delete(target, "ci"))
    c.run("rule association delete again (204)", lambda: monitor.data_collection_rule_associations.delete(target, "ci"))
    c.run("rule association gone (404)", lambda: expect_status(404, lambda: (
        monitor.data_collection_rule_associations.get(target, "ci"))))
    c.run("rule association again", lambda: monitor.data_collection_rule_associations.create(target, "again", body))
    c.run("registry delete takes its rule associations (LRO)", lambda: acr.registries.begin_delete(RG, "sdkdcra").result())
    c.run("rule associations went with the registry", lambda: assert_eq(
        [a.name for a in monitor.data_collection_rule_associations.list_by_rule(RG, "sdk-ci")], []))


def check_diagnostic_settings(c, monitor, acr, rg_id):
    ws_id = f"{rg_id}/providers/Microsoft.OperationalInsights/workspaces/sdk-logs"
    target = f"{rg_id}/providers/Microsoft.ContainerRegistry/registries/sdkdiag"
    c.run("registry for diagnostic settings (LRO)", lambda: acr.registries.begin_create(
        RG, "sdkdiag", {"location": LOC, "sku": {"name": "Basic"}}).result())
    body = {"workspace_id": ws_id,
            "logs": [{"category_group": "allLogs", "enabled": True}],
            "metrics": [{"category": "AllMetrics", "enabled": True}]}
    c.run("diagnostic setting create", lambda: assert_eq(
        monitor.diagnostic_settings.create_or_update(target, "to-logs", body).workspace_id, ws_id))
    c.run("diagnostic setting get", lambda: assert_eq(
        monitor.diagnostic_settings.get(target, "to-logs").logs[0].category_group, "allLogs"))
    c.run("diagnostic setting list", lambda: assert_eq(
        [s.name for s in monitor.diagnostic_settings.list(target)], ["to-logs"]))
    c.run("diagnostic setting update", lambda: assert_eq(monitor.diagnostic_settings.create_or_update(
        target, "to-logs", {**body, "logs": [{"category_group": "audit", "enabled": True}]}).logs[0].category_group, "audit"))
    c.run("diagnostic setting on a missing resource refused (404)", lambda: expect_status(404, lambda: (
        monitor.diagnostic_settings.create_or_update(
            f"{rg_id}/providers/Microsoft.ContainerRegistry/registries/nothere", "x", body))))
    c.run("diagnostic setting to a missing workspace refused (404)", lambda: expect_status(404, lambda: (
        monitor.diagnostic_settings.create_or_update(target, "x", {
            **body, "workspace_id": f"{rg_id}/providers/Microsoft.OperationalInsights/workspaces/gone"}))))
    c.run("diagnostic setting without a destination refused (400)", lambda: expect_status(400, lambda: (
        monitor.diagnostic_settings.create_or_update(target, "x", {**body, "workspace_id": None}))))
    c.run("diagnostic setting delete", lambda: monitor.diagnostic_settings.delete(target, "to-logs"))
    c.run("diagnostic setting gone (404)", lambda: expect_status(404, lambda: monitor.diagnostic_settings.get(target, "to-logs")))
    c.run("diagnostic setting again", lambda: monitor.diagnostic_settings.create_or_update(target, "again", body))
    c.run("registry delete takes its diagnostic settings (LRO)", lambda: acr.registries.begin_delete(RG, "sdkdiag").result())
    c.run("diagnostic settings went with the registry", lambda: expect_status(404, lambda: list(
        monitor.diagnostic_settings.list(target))))


def prop(model, name):
    """Newer generated models nest under `.properties`; older ones flatten."""
    if hasattr(model, name) and getattr(model, name) is not None:
        return getattr(model, name)
    return getattr(model.properties, name)


def check_cluster(mc):
    assert prop(mc, "provisioning_state") == "Succeeded", prop(mc, "provisioning_state")
    assert prop(mc, "fqdn").endswith(".azmk8s.io"), prop(mc, "fqdn")
    assert prop(mc, "node_resource_group") == f"MC_{RG}_sdk-aks_{LOC}", prop(mc, "node_resource_group")
    assert prop(mc, "kubernetes_version").count(".") == 2, prop(mc, "kubernetes_version")
    assert prop(mc, "identity_profile")["kubeletidentity"].object_id
    assert prop(mc, "oidc_issuer_profile").issuer_url.startswith("https://")
    assert prop(mc, "network_profile").service_cidr == "10.0.0.0/16"
    assert prop(mc, "auto_scaler_profile").scan_interval == "10s"
    assert prop(mc, "addon_profiles")["omsagent"].identity.object_id


def check_addon_identities(profiles):
    for name, prefix in [("azureKeyvaultSecretsProvider", "azurekeyvaultsecretsprovider-"),
                         ("ingressApplicationGateway", "ingressapplicationgateway-")]:
        identity = profiles[name].identity
        assert identity is not None, name
        assert identity.object_id and identity.client_id, (name, identity)
        assert f"/userassignedidentities/{prefix}sdk-aks" in identity.resource_id.lower(), identity.resource_id


def attrs(model, names):
    return [getattr(model, n) for n in names]


def check_extensions(c, ext, flux_client):
    """Cluster extensions (Extensions_*, Microsoft.KubernetesConfiguration 2025-03-01) on sdk-aks,
    driven by azure-mgmt-kubernetesconfiguration-extensions with its own LRO pollers."""
    on = (RG, "Microsoft.ContainerService", "managedClusters", "sdk-aks")
    flux = {"properties": {
        "extensionType": "microsoft.flux",
        "scope": {"cluster": {"releaseNamespace": "flux-system"}},
        "configurationSettings": {"helm-controller.enabled": "true"},
        "configurationProtectedSettings": {"token": "s3cret"}}}
    e = c.run("extension create (LRO)", lambda: ext.extensions.begin_create(*on, "flux", flux).result())
    c.run("extension defaults and read-only fields", lambda: assert_eq(
        (e.properties.provisioning_state, e.properties.auto_upgrade_minor_version, e.properties.release_train,
         e.properties.is_system_extension, e.properties.scope.cluster.release_namespace),
        ("Succeeded", True, "Stable", False, "flux-system")))
    c.run("extension protected settings are never returned", lambda: assert_eq(
        ext.extensions.get(*on, "flux").properties.configuration_protected_settings, None))
    c.run("extension settings round-trip", lambda: assert_eq(
        ext.extensions.get(*on, "flux").properties.configuration_settings, {"helm-controller.enabled": "true"}))
    c.run("extension list", lambda: assert_eq([x.name for x in ext.extensions.list(*on)], ["flux"]))
    c.run("extension pinned while auto-upgrading is refused", lambda: expect_status(400, lambda: ext.extensions.begin_create(
        *on, "pinned", {"properties": {"extensionType": "microsoft.flux", "version": "1.2.3"}}).result()))
    c.run("extension with both scopes is refused", lambda: expect_status(400, lambda: ext.extensions.begin_create(
        *on, "both", {"properties": {"extensionType": "microsoft.flux", "scope": {
            "cluster": {"releaseNamespace": "a"}, "namespace": {"targetNamespace": "b"}}}}).result()))
    c.run("extension on an unknown cluster is refused", lambda: expect_status(404, lambda: ext.extensions.begin_create(
        RG, "Microsoft.ContainerService", "managedClusters", "no-such-aks", "flux", flux).result()))
    c.run("extension pinned version (LRO)", lambda: assert_eq(ext.extensions.begin_create(
        *on, "pinned", {"properties": {"extensionType": "microsoft.flux", "autoUpgradeMinorVersion": False,
                                       "version": "1.2.3"}}).result().properties.current_version, "1.2.3"))
    c.run("extension delete (LRO)", lambda: ext.extensions.begin_delete(*on, "pinned").result())
    check_flux_configurations(c, flux_client, on)
    c.run("extension delete (LRO, flux)", lambda: ext.extensions.begin_delete(*on, "flux").result())
    c.run("extension gone", lambda: expect_status(404, lambda: ext.extensions.get(*on, "flux")))
    c.run("flux configuration without the Flux extension is refused", lambda: expect_status(400, lambda: (
        flux_client.flux_configurations.begin_create_or_update(*on, "late", {"properties": {
            "gitRepository": {"url": "https://github.com/Azure/arc-k8s-demo"}}}).result())))


def check_flux_configurations(c, flux, on):
    """Flux configurations (FluxConfigurations_*, 2025-04-01) on sdk-aks, which has the Flux
    extension, driven by azure-mgmt-kubernetesconfiguration-fluxconfigurations."""
    config = {"properties": {
        "namespace": "cluster-config",
        "gitRepository": {"url": "https://github.com/Azure/arc-k8s-demo", "repositoryRef": {"branch": "main"}},
        "kustomizations": {"infra": {"path": "./infrastructure"},
                           "apps": {"path": "./apps", "dependsOn": ["infra"], "prune": True}},
        "configurationProtectedSettings": {"sshPrivateKey": "c2VjcmV0"}}}
    fc = c.run("flux configuration create (LRO)", lambda: flux.flux_configurations.begin_create_or_update(
        *on, "cluster-config", config).result())
    c.run("flux configuration defaults", lambda: assert_eq(
        (fc.properties.provisioning_state, fc.properties.scope, fc.properties.source_kind, fc.properties.suspend,
         fc.properties.git_repository.sync_interval_in_seconds, fc.properties.kustomizations["apps"].name,
         fc.properties.kustomizations["infra"].wait),
        ("Succeeded", "cluster", "GitRepository", False, 600, "apps", True)))
    c.run("flux configuration protected settings are never returned", lambda: assert_eq(
        flux.flux_configurations.get(*on, "cluster-config").properties.configuration_protected_settings, None))
    c.run("flux configuration list", lambda: assert_eq(
        [x.name for x in flux.flux_configurations.list(*on)], ["cluster-config"]))
    moved = {"properties": dict(config["properties"], namespace="elsewhere")}
    c.run("flux configuration namespace cannot change", lambda: expect_status(400, lambda: (
        flux.flux_configurations.begin_create_or_update(*on, "cluster-config", moved).result())))
    c.run("flux configuration bad namespace refused", lambda: expect_status(400, lambda: (
        flux.flux_configurations.begin_create_or_update(*on, "bad", {"properties": {"namespace": "Not_Valid"}}).result())))
    c.run("flux configuration delete (LRO)", lambda: flux.flux_configurations.begin_delete(*on, "cluster-config").result())
    c.run("flux configuration gone", lambda: expect_status(404, lambda: flux.flux_configurations.get(*on, "cluster-config")))


def assert_eq(actual, expected):
    assert actual == expected, f"expected {expected!r}, got {actual!r}"


def expect_status(status, call):
    try:
        call()
    except HttpResponseError as e:
        assert e.status_code == status, f"expected {status}, got {e.status_code}: {e}"
        return
    raise AssertionError(f"expected HTTP {status}, the call succeeded")


def assert_true(value):
    assert value


if __name__ == "__main__":
    sys.exit(main())
