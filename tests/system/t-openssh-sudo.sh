#!/bin/bash
# services.openssh, security.sudo and security.pam: the rendered
# sshd_config, sudoers and authorized_keys files; the build-time checks
# (sshd -t, visudo -c, the option types) refuse broken settings; then one
# VM boot of examples/minimal.nix with sshd and a user `alice` in wheel
# whose key is examples/server/demo-key: from the host, through the
# forwarded port, alice logs in with the key, `sudo -n id -u` prints 0,
# and `sudo systemctl poweroff` ends the VM.
. "$(dirname "$0")/../integration/test-lib.sh"
examples=${FIRN_EXAMPLES:-$(cd "$(dirname "$0")/../../examples" && pwd)}
cp "$examples/firn.lock" firn.lock 2>/dev/null || true

cp "$examples/server/demo-key.pub" demo-key.pub
cat >vm.nix <<NIX
{ pkgs, lib, ... }:
{
  imports = [ $examples/minimal.nix ];
  users.users.alice = {
    isNormalUser = true;
    extraGroups = [ "wheel" ];
    openssh.authorizedKeys.keyFiles = [ ./demo-key.pub ];
    openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFirnTestSecondKeyxxxxxxxxxxxxxxxxxxxxxxxxx test@firn" ];
  };
  security.sudo.wheelNeedsPassword = false;
  security.sudo.extraRules = [
    { users = [ "bob" ]; runAs = "root"; commands = [ { command = "/usr/bin/id"; options = [ "NOPASSWD" ]; } "/usr/bin/true" ]; }
  ];
  services.openssh = {
    enable = true;
    settings = { PasswordAuthentication = false; PermitRootLogin = "no"; MaxAuthTries = 4; AllowGroups = [ "wheel" "users" ]; };
  };
  # The guest's address from QEMU's DHCP server; the firewall (on by
  # default) lets in what openFirewall opens.
  networking.useDHCP = true;
}
NIX

build_vm vm.nix "firn system build-vm builds minimal.nix with openssh and sudo"

vm=$(readlink result)
system=$(readlink "$(real "$vm/system")")
etc=$system/etc

# ---- rendered files ---------------------------------------------------------
expect_eq "$(firn eval --json -E "(import <firn/eval-config.nix> { configuration = $TEST_ROOT/vm.nix; }).config.networking.firewall.allowedTCPPorts")" "[22]" \
        "openFirewall opens services.openssh.ports"
sshd_config=$(resolve "$etc/ssh/sshd_config")
for line in "PasswordAuthentication no" "PermitRootLogin no" "KbdInteractiveAuthentication yes" "X11Forwarding no" \
            "UseDns no" "UsePAM yes" "LogLevel INFO" "MaxAuthTries 4" "AllowGroups wheel users" "Port 22" \
            "HostKey /etc/ssh/ssh_host_ed25519_key" "HostKey /etc/ssh/ssh_host_rsa_key" \
            "AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/authorized_keys.d/%u" \
            "Subsystem sftp /usr/lib/openssh/sftp-server"; do
        check "sshd_config has '$line'" grep -qxF "$line" "$sshd_config"
done
# The generation's etc is a tree of links: the entry's own link target.
etc_link() { readlink "$(resolve "$etc/$(dirname "$1")")/$(basename "$1")"; }
case $(etc_link ssh/sshd_config) in
        *-sshd_config-checked) pass "/etc/ssh/sshd_config is the output of the sshd -t check" ;;
        *) fail "/etc/ssh/sshd_config is the output of the sshd -t check ($(etc_link ssh/sshd_config))" ;;
esac

sudoers=$(resolve "$etc/sudoers")
check "sudoers: root may do anything" grep -qxP 'root\tALL=\(ALL:ALL\)\tSETENV: ALL' "$sudoers"
check "sudoers: wheel without a password" grep -qxP '%wheel\tALL=\(ALL:ALL\)\tNOPASSWD:SETENV: ALL' "$sudoers"
check "sudoers: extraRules after wheel's, with tags" grep -qxP 'bob\tALL=\(root\)\tNOPASSWD: /usr/bin/id, /usr/bin/true' "$sudoers"
expect_eq "$(grep -nP '^(root|%wheel|bob)\t' "$sudoers" | cut -d: -f2 | cut -f1 | tr '\n' ' ')" "root %wheel bob " "sudoers: rules in order root, wheel, extraRules"
case $(etc_link sudoers) in
        *-sudoers-checked) pass "/etc/sudoers is the output of the visudo -c check" ;;
        *) fail "/etc/sudoers is the output of the visudo -c check ($(etc_link sudoers))" ;;
esac

keys=$(resolve "$etc/ssh/authorized_keys.d/alice")
expect_eq "$(cat "$keys")" "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFirnTestSecondKeyxxxxxxxxxxxxxxxxxxxxxxxxx test@firn
$(cat demo-key.pub)" "authorized_keys.d/alice: keys, then keyFiles' lines"
check "no authorized_keys file for a user without keys" test ! -e "$(real "$etc/ssh/authorized_keys.d/root")"

activation=$(resolve "$system/activation.json")
python3 - "$activation" >activation.txt <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
print("etc", sorted((k, v["mode"]) for k, v in a["etc"].items()))
print("wrappers", sorted((w["name"], w["owner"], w["setuid"], w["source"].split("/", 4)[-1]) for w in a["wrappers"]))
print("sshd", [(u["isSystemUser"], u["home"]) for u in a["users"] if u["name"] == "sshd"])
print("wheel", [(g["gid"], g["members"]) for g in a["groups"] if g["name"] == "wheel"])
PY
check "sudoers and authorized keys are copied (0440, 0444)" grep -qF "etc [('ssh/authorized_keys.d/alice', '0444'), ('sudoers', '0440')]" activation.txt
check "sudo is a setuid-root wrapper of the package's binary" grep -qF "('sudo', 'root', True, 'usr/bin/sudo')" activation.txt
check "the privilege separation user sshd (system user, /run/sshd)" grep -qF "sshd [(True, '/run/sshd')]" activation.txt
check "wheel has an allocated gid and alice" grep -qF "wheel [(None, ['alice'])]" activation.txt
for f in sudo sshd common-auth common-account common-session common-session-noninteractive common-password; do
        check "/etc/pam.d/$f is there" test -f "$(resolve "$etc/pam.d/$f")"
done
check "pam_systemd.so (common-session) is in the system" test -f "$(resolve "$system/sw/usr/lib/x86_64-linux-gnu/security/pam_systemd.so")"
check "pam_unix.so is where PAM looks" test -f "$(resolve "$system/sw/usr/lib/x86_64-linux-gnu/security/pam_unix.so")"

# ---- build-time checks ----------------------------------------------------
bad() {
        printf '{ ... }: { imports = [ ./vm.nix ]; %s }\n' "$1" >bad.nix
        firn build -E "(import <firn/eval-config.nix> { configuration = $TEST_ROOT/bad.nix; }).config.environment.etc.$2.source" \
                --no-out-link -j 2 >bad.log 2>&1
}
bad 'services.openssh.settings.MaxSessions = "many";' '"ssh/sshd_config"'
check "sshd -t refuses a bad value, with its message" grep -q "line [0-9]*: MaxSessions integer value invalid" bad.log
bad 'services.openssh.extraConfig = "NoSuchKeyword yes";' '"ssh/sshd_config"'
check "sshd -t refuses an unknown keyword" grep -q "Bad configuration option: NoSuchKeyword" bad.log
bad 'services.openssh.settings.PermitRootLogin = "bogus";' '"ssh/sshd_config"'
check "PermitRootLogin = \"bogus\" is refused by the option's type" grep -q "services.openssh.settings.PermitRootLogin' is not of type" bad.log
bad 'security.sudo.extraConfig = "Defaults nosuchdefault";' sudoers
check "visudo -c refuses an unknown Defaults entry" grep -q 'unknown defaults entry "nosuchdefault"' bad.log
bad 'security.sudo.extraRules = [ { users = [ "bob" ]; commands = [ "ALL ALL" ]; } ];' sudoers
check "visudo -c refuses a syntax error" grep -q "syntax error" bad.log

# ---- the VM: ssh in from the host, sudo -----------------------------------
if ! command -v ssh >/dev/null || ! command -v qemu-system-x86_64 >/dev/null; then
        echo "# no ssh or qemu-system-x86_64 on the host: the VM part is skipped"
        finish
        exit $?
fi
runner=$(resolve "$vm/bin/run-firn-vm")
port=$(free_port)
install -m 0600 "$examples/server/demo-key" key
sshvm() {
        ssh -F none -i key -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no \
                -o UserKnownHostsFile="$TEST_ROOT/known_hosts" -o ConnectTimeout=20 -o LogLevel=ERROR \
                -p "$port" "$@"
}
start=$(date +%s)
FIRN_VM_DISK=$TEST_ROOT/firn.img FIRN_VM_SSH_PORT=$port timeout 900 bash "$runner" </dev/null >console.log 2>&1 &
qemu=$!
up=
while kill -0 $qemu 2>/dev/null && [ $(( $(date +%s) - start )) -lt 600 ]; do
        if sshvm alice@127.0.0.1 true 2>ssh.err; then up=$(( $(date +%s) - start )); break; fi
        sleep 5
done
expect_eq "${up:+yes}" yes "alice logs in with her key through the forwarded port"
echo "# boot to a working ssh login: ${up:-none} s"
if [ -n "$up" ]; then
        sshvm alice@127.0.0.1 '/run/wrappers/bin/sudo -n id -u' >sudo.out 2>&1
        expect_eq "$(cat sudo.out)" 0 "/run/wrappers/bin/sudo -n id -u prints 0 (as alice, over ssh)"
        # What a user types: sudo found through the PATH of an ssh command.
        sshvm alice@127.0.0.1 'sudo -n id -u' >sudo.out 2>&1
        expect_eq "$(cat sudo.out)" 0 "sudo -n id -u prints 0 (as alice, over ssh; needs /run/wrappers/bin on the session's PATH)"
        sshvm alice@127.0.0.1 'echo "PATH=$PATH"; command -v sudo
                /run/wrappers/bin/sudo -n stat -c "%a %U %F" /etc/sudoers /etc/ssh/authorized_keys.d/alice /run/wrappers/bin/sudo
                ls /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_rsa_key
                systemctl is-active sshd.service sshd-keygen.service
                /run/wrappers/bin/sudo -n /usr/sbin/sshd -T | grep -iE "^(permitrootlogin|passwordauthentication) "
                loginctl list-sessions --no-legend | grep -c alice
                echo failed=$(systemctl list-units --state=failed --no-legend --plain | wc -l)
                systemctl show -p ExecMainStartTimestampMonotonic -p ActiveEnterTimestampMonotonic sshd-keygen sshd' >inside.out 2>&1
        # A note, not a check: does a PATH from pam_env reach ssh commands?
        sshvm alice@127.0.0.1 'echo "PATH DEFAULT=/run/wrappers/bin:/usr/local/bin:/usr/bin:/bin" >~/.pam_environment' &&
                echo "# with PATH from pam_env (~/.pam_environment): $(sshvm alice@127.0.0.1 'command -v sudo' 2>&1)"
        sed 's/^/    # /' inside.out
        check "/etc/sudoers is a real file 0440 root" grep -qx "440 root regular file" inside.out
        check "authorized_keys.d/alice is a real file 0444 root" grep -qx "444 root regular file" inside.out
        check "/run/wrappers/bin/sudo is setuid root" grep -qE "^4[0-7]{3} root regular file$" inside.out
        check "host keys were made on first boot" grep -qx "/etc/ssh/ssh_host_rsa_key" inside.out
        expect_eq "$(grep -cx active inside.out)" 2 "sshd.service and sshd-keygen.service are active"
        check "sshd runs with the rendered settings" grep -qx "permitrootlogin no" inside.out
        check "the ssh login is a logind session (pam_systemd)" grep -qx "[1-9]" inside.out
        check "no unit failed" grep -qx "failed=0" inside.out
        expect_fail "root can't log in with alice's key" sshvm root@127.0.0.1 true
        # (the wrapper's full path if sudo is not on the PATH, so the VM ends)
        sshvm alice@127.0.0.1 'sudo -n systemctl poweroff || /run/wrappers/bin/sudo -n systemctl poweroff' >/dev/null 2>&1
fi
for _ in $(seq 60); do kill -0 $qemu 2>/dev/null || break; sleep 2; done
if kill -0 $qemu 2>/dev/null; then
        fail "the VM powered off after sudo systemctl poweroff"
        kill $qemu
else
        pass "the VM powered off after sudo systemctl poweroff"
fi
wait $qemu 2>/dev/null
echo "# boot, checks and poweroff: $(( $(date +%s) - start )) s"
[ -n "$up" ] || { cat ssh.err; tail -40 console.log | sed 's/^/    /'; }

finish
