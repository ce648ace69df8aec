#!/bin/bash
# services.nginx: the nginx.conf the module renders (two virtual hosts,
# locations in NixOS's order, proxyPass/return/root, a page root given as
# a Nix path copied to the store), the build-time `nginx -t` (a broken
# directive fails the system's build with nginx's message), then one VM
# boot of examples/minimal.nix with nginx serving a page: the host fetches
# it through a forwarded port; a marker service inside the VM waits for
# that request in nginx's access log, reports the unit's state to the
# console and powers off.
. "$(dirname "$0")/../integration/test-lib.sh"
examples=${FIRN_EXAMPLES:-$(cd "$(dirname "$0")/../../examples" && pwd)}
cp "$examples/firn.lock" firn.lock 2>/dev/null || true


# Whether a module declares the option (the firewall is NixOS's: on by
# default, and nginx does not open its ports by itself).
has_option() { firn options "^$1\$" 2>/dev/null | grep -q "$1"; }
firewall=
if has_option networking.firewall.allowedTCPPorts; then
        firewall='networking.firewall.allowedTCPPorts = [ 80 ];'
fi

mkdir www
echo "firn-nginx-test-page $$" >www/index.html

# ---- the rendered configuration ---------------------------------------------
cat >two.nix <<NIX
{ pkgs, lib, ... }:
{
  imports = [ $examples/minimal.nix ];
  services.nginx = {
    enable = true;
    recommendedProxySettings = true;
    virtualHosts."one.example" = {
      default = true;
      root = ./www;
      serverAliases = [ "www.one.example" ];
      locations."/b".return = "200 'b'";
      locations."/api" = { proxyPass = "http://127.0.0.1:8000"; proxyWebsockets = true; };
      locations."/a".root = "/srv/a";
      locations."~ \\\\.php\$" = { priority = 10; return = 403; };
    };
    virtualHosts."two" = {
      serverName = "two.example";
      listen = [ { addr = "127.0.0.2"; port = 8080; } ];
      locations."/".tryFiles = "\$uri =404";
      extraConfig = "add_header X-Two yes;";
    };
  };
}
NIX
conf_expr='(import <firn/eval-config.nix> { configuration = ./two.nix; }).config.services.nginx.build.configFile'
start=$(date +%s)
firn build -j 2 --no-out-link -E "$conf_expr" >conf.log 2>&1
expect_eq "$?" 0 "the configuration of two virtual hosts builds (and passes nginx -t)"
echo "# config build: $(( $(date +%s) - start )) s"
conf=$(tail -1 conf.log)
case $conf in /nix/store/*) ;; *) tail -20 conf.log | sed 's/^/    /' ;; esac
cp "$(real "$conf")" nginx.conf 2>/dev/null || : >nginx.conf
# The server block of a host, and the location lines of a block, in order.
server_of() { awk -v name="$1" '/^  server \{/ { buf = ""; inside = 1 } inside { buf = buf $0 "\n" } inside && /^  \}/ { inside = 0; if (buf ~ ("server_name " name)) printf "%s", buf }' nginx.conf; }
server_of one.example >one.txt
server_of two.example >two.txt
check "pid file in /run/nginx" grep -qx 'pid /run/nginx/nginx.pid;' nginx.conf
check "nginx runs in the foreground" grep -qx 'daemon off;' nginx.conf
check "mime.types is included from the store" test -f "$(real "$(sed -n 's/^  include \(.*mime.types\);$/\1/p' nginx.conf)")"
check "host one: server_name with its alias" grep -qx '    server_name one.example www.one.example;' one.txt
check "host one is the default server on IPv4" grep -qx '    listen 0.0.0.0:80 default_server;' one.txt
check "host one is the default server on IPv6" grep -qx '    listen \[::0\]:80 default_server;' one.txt
check "host two: serverName wins over the attribute name" grep -qx '    server_name two.example;' two.txt
check "host two: its own listen only" test "$(grep -c listen two.txt)" = 1 -a -n "$(grep -x '    listen 127.0.0.2:8080;' two.txt)"
expect_eq "$(grep -o 'location [^{]*' one.txt | tr '\n' '|')" 'location ~ \.php$ |location /a |location /api |location /b |' \
        "locations by priority, then by name"
check "proxyPass" grep -qx '      proxy_pass http://127.0.0.1:8000;' one.txt
check "proxyWebsockets" grep -qx '      proxy_set_header Connection $connection_upgrade;' one.txt
check "recommendedProxySettings: the headers in the proxying location" grep -q 'include .*-nginx-recommended-proxy-headers.conf;' one.txt
check "return" grep -qx "      return 200 'b';" one.txt
check "return of an int" grep -qx '      return 403;' one.txt
check "a location's root" grep -qx '      root /srv/a;' one.txt
check "tryFiles" grep -qx '      try_files $uri =404;' two.txt
check "a host's extraConfig ends its block" test "$(grep -v '^  }' two.txt | tail -1)" = '    add_header X-Two yes;'
root=$(sed -n 's/^    root \(.*\);$/\1/p' one.txt)
check "a root given as a Nix path is in the store" grep -q "firn-nginx-test-page $$" "$(real "$root")/index.html"
drv=$(firn eval -E "($conf_expr).drvPath" | tr -d '"')
check "the system's nginx.conf is the output of the nginx -t check" grep -q 'nginx\\" -t -c' "$(real "$drv")"

# ---- the VM -----------------------------------------------------------------
port=$(free_port)
ssh_port=$(free_port)
cat >vm.nix <<NIX
{ pkgs, lib, ... }:
{
  imports = [ $examples/minimal.nix ];
  $firewall
  services.nginx = {
    enable = true;
    virtualHosts."firn.test" = {
      default = true;
      root = ./www;
      locations."/status".return = "200 'nginx on firn'";
    };
  };
  # The guest's address for QEMU's user network (10.0.2.15, where it
  # forwards the host's port), whether or not a networking module does it.
  systemd.services.firn-test-net = {
    wantedBy = [ "multi-user.target" ];
    before = [ "network.target" ];
    serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
    script = ''
      for dev in /sys/class/net/*; do
        dev=''\${dev##*/}; [ "\$dev" = lo ] && continue
        ip link set "\$dev" up
        ip addr replace 10.0.2.15/24 dev "\$dev"
      done
    '';
  };
  systemd.services.firn-test-marker = {
    description = "Report nginx's state once the host fetched the page, then power off";
    wantedBy = [ "multi-user.target" ];
    after = [ "multi-user.target" "nginx.service" ];
    serviceConfig.Type = "oneshot";
    script = ''
      # the kernel's log reaches the serial console even while getty holds it
      pid=\$(systemctl show -p MainPID --value nginx.service)
      echo "FIRN-NGINX-READY active=\$(systemctl is-active nginx.service) fragment=\$(systemctl show -p FragmentPath --value nginx.service) user=\$(ps -o user= -p "\$pid")" >/dev/kmsg
      for i in \$(seq 120); do
        grep -q 'GET / ' /var/log/nginx/access.log 2>/dev/null && break
        sleep 1
      done
      verify=failed; systemd-analyze verify /etc/systemd/system/nginx.service && verify=ok
      failed=\$(systemctl list-units --state=failed --no-legend --plain | awk '{ print \$1 }' | tr '\n' ' ')
      echo "FIRN-NGINX-DONE logged=\$(grep -c 'GET / ' /var/log/nginx/access.log) verify=\$verify failed=\$(echo \$failed | wc -w) [\$failed]" >/dev/kmsg
      systemctl poweroff --no-block
    '';
  };
}
NIX
build_vm vm.nix "firn system build-vm builds minimal.nix with nginx"
runner=$(real "$(readlink "$(real "$(readlink result)/bin/run-firn-vm")")")
check "the VM runner is there" test -f "$runner"

if [ -f "$runner" ]; then
        start=$(date +%s)
        FIRN_VM_DISK=$TEST_ROOT/firn.img FIRN_VM_SSH_PORT=$ssh_port FIRN_VM_FORWARDS=tcp:$port-:80 \
                timeout 600 bash "$runner" </dev/null >console.log 2>&1 &
        vm=$!
        for i in $(seq 600); do
                grep -q 'FIRN-NGINX-READY' console.log && break
                kill -0 $vm 2>/dev/null || break
                sleep 1
        done
        echo "# boot to the marker: $(( $(date +%s) - start )) s"
        ready=$(grep -a -o 'FIRN-NGINX-READY.*' console.log | head -1)
        check "the VM booted and ran the marker" test -n "$ready"
        check "nginx.service is active" grep -q 'active=active ' <<<"$ready"
        check "nginx.service is the module's unit, not Debian's" grep -q 'fragment=/etc/systemd/system/nginx.service ' <<<"$ready"
        check "nginx's master runs as the nginx user" grep -q 'user=nginx' <<<"$ready"
        page=$(curl -sS --max-time 20 --retry 5 --retry-delay 2 --retry-connrefused "http://127.0.0.1:$port/" 2>&1)
        expect_eq "$page" "firn-nginx-test-page $$" "the host fetches the page from the VM's nginx"
        status=$(curl -sS --max-time 20 "http://127.0.0.1:$port/status" 2>&1)
        expect_eq "$status" "nginx on firn" "a location's return"
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://127.0.0.1:$port/missing")
        expect_eq "$code" 404 "a missing file is 404"
        wait $vm
        expect_eq "$?" 0 "the VM powered off by itself (qemu exited 0)"
        echo "# boot to power-off: $(( $(date +%s) - start )) s"
        done=$(grep -a -o 'FIRN-NGINX-DONE.*' console.log | head -1)
        check "nginx logged the host's request" grep -q 'logged=[1-9]' <<<"$done"
        check "nginx.service passes systemd-analyze verify" grep -q 'verify=ok' <<<"$done"
        check "no unit failed" grep -q 'failed=0 ' <<<"$done"
        [ -n "$done" ] && grep -q 'failed=0 ' <<<"$done" || tail -60 console.log | sed 's/^/    /'
fi

# ---- a broken configuration fails the system's build with nginx's words -----
cat >bad.nix <<NIX
{ ... }: { imports = [ ./vm.nix ]; services.nginx.virtualHosts."firn.test".extraConfig = "bogus_directive on;"; }
NIX
expect_fail "a broken directive fails the build" firn system build -j 2 -f bad.nix --no-out-link
firn system build -j 2 -f bad.nix --no-out-link >bad.log 2>&1
check "the error is nginx's, naming the directive" grep -q 'unknown directive "bogus_directive"' bad.log

finish
