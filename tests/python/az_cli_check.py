"""Drive the azplan ARM emulator with the Azure CLI, signed in for real.

The CLI registers the emulator as a cloud (its ARM metadata endpoint), signs in with a service
principal against the emulator's Entra token endpoint (MSAL, instance discovery off as for Azure
Stack), and ARM checks the tokens (--strict-auth). Then it lists groups and creates, lists, shows
and fetches credentials for an AKS cluster. Prints one line per check and closes with
'N passed, M failed'.
"""

import json
import os
import subprocess
import sys
import tempfile

TENANT = "00000000-0000-4000-8000-0000000e0ad0"


def main():
    binary, az = sys.argv[1], sys.argv[2]
    work = tempfile.mkdtemp(prefix="azplan-azcli-")
    proc = subprocess.Popen(
        [binary, "emulator", "--listen", "127.0.0.1:0", "--time-scale", "0.002", "--strict-auth",
         "--state", os.path.join(work, "state.json")],
        stdout=subprocess.PIPE, text=True)
    ready = json.loads(proc.stdout.readline())
    env = dict(os.environ, AZURE_CONFIG_DIR=os.path.join(work, "az"), REQUESTS_CA_BUNDLE=ready["caCert"],
               AZURE_CORE_COLLECT_TELEMETRY="0", AZURE_CORE_ONLY_SHOW_ERRORS="1")
    passed = failed = 0

    def check(name, args, expect=None):
        nonlocal passed, failed
        result = subprocess.run([az, *args], env=env, capture_output=True, text=True, timeout=300)
        ok = result.returncode == 0
        output = result.stdout
        if ok and expect is not None:
            try:
                ok = expect(json.loads(output) if output.strip() else None)
            except Exception as e:  # noqa: BLE001 - reported below
                ok, output = False, f"{output}\n{e}"
        if ok:
            passed += 1
            print(f"ok   {name}")
        else:
            failed += 1
            print(f"FAIL {name}\n{output}\n{result.stderr}")

    check("config: no MSAL instance discovery", ["config", "set", "core.instance_discovery=false"])
    check("cloud register (ARM metadata endpoint)", ["cloud", "register", "-n", "AzplanEmulator",
                                                     "--endpoint-resource-manager", ready["endpoint"]])
    check("cloud set", ["cloud", "set", "-n", "AzplanEmulator"])
    check("login --service-principal (Entra token endpoint)",
          ["login", "--service-principal", "-u", "11111111-2222-3333-4444-555555555555", "-p", "a-secret",
           "--tenant", TENANT, "-o", "json"],
          lambda v: v[0]["tenantId"] == TENANT)
    check("group create", ["group", "create", "-n", "cli-rg", "-l", "westeurope", "-o", "json"],
          lambda v: v["properties"]["provisioningState"] == "Succeeded")
    check("group list", ["group", "list", "-o", "json"], lambda v: [g["name"] for g in v] == ["cli-rg"])
    check("aks create (LRO)", ["aks", "create", "-g", "cli-rg", "-n", "cli-aks", "--node-count", "1",
                               "--no-ssh-key", "-o", "json"],
          lambda v: v["provisioningState"] == "Succeeded")
    check("aks list", ["aks", "list", "-o", "json"], lambda v: [c["name"] for c in v] == ["cli-aks"])
    check("aks show", ["aks", "show", "-g", "cli-rg", "-n", "cli-aks", "-o", "json"],
          lambda v: v["fqdn"].endswith(".azmk8s.io"))
    kubeconfig = os.path.join(work, "kubeconfig")
    check("aks get-credentials --admin", ["aks", "get-credentials", "-g", "cli-rg", "-n", "cli-aks", "--admin",
                                          "--file", kubeconfig])
    check("kubeconfig written", ["version", "-o", "json"],
          lambda _v: "current-context: cli-aks-admin" in open(kubeconfig).read())
    proc.terminate()
    proc.wait(timeout=10)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
