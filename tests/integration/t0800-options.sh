#!/bin/bash
# firn options: the options of firn's system modules and of a configuration
# (-f), as text, --json and --html; sub-options of submodules in attrsOf
# (`<name>`) and listOf (`*`), internal and invisible options, defaultText
# as literalExpression, a default that throws (shown, not fatal), QUERY as
# a substring or regular expression, and errors.
. "$(dirname "$0")/test-lib.sh"

cat >conf.nix <<'EOF'
{ config, lib, ... }:
let inherit (lib) mkOption types; in
{
  imports = [ ./extra.nix ];
  options.demo = {
    enable = mkOption {
      type = types.bool;
      default = false;
      description = "Whether to enable the demo service.";
    };
    port = mkOption {
      type = types.int;
      default = 8080;
      example = 80;
      description = "TCP port the firn-demo service listens on.";
    };
    users = mkOption {
      type = types.attrsOf (types.submodule ({ name, ... }: {
        options = {
          shell = mkOption {
            type = types.str;
            default = "/bin/sh";
            description = "Login shell of the demo user.";
          };
          home = mkOption {
            type = types.str;
            default = "/home/${name}";
            defaultText = lib.literalExpression ''"/home/''${name}"'';
            description = "Home directory of the demo user.";
          };
        };
      }));
      default = { };
      description = "Demo users, by name.";
    };
    items = mkOption {
      type = types.listOf (types.submodule {
        options.weight = mkOption { type = types.int; default = 1; description = "Weight of one item."; };
      });
      default = [ ];
      description = "Weighted items.";
    };
    stateDir = mkOption {
      type = types.str;
      default = "/var/lib/demo-${config.demo.name}";
      defaultText = lib.literalExpression ''"/var/lib/demo-''${config.demo.name}"'';
      description = ''
        Where the demo service keeps its state.
        A second line of description.
      '';
    };
    secret = mkOption {
      type = types.str;
      internal = true;
      default = "hunter2";
      description = "An internal knob.";
    };
    hidden = mkOption {
      type = types.int;
      default = 3;
      visible = false;
      description = "Never listed.";
    };
    broken = mkOption {
      type = types.int;
      default = throw "the broken default";
      description = "Its default throws.";
    };
    tags = mkOption {
      type = types.attrsOf types.int;
      default = { a = 1; "b c" = 2; };
      readOnly = true;
      description = "Read-only tags.";
    };
  };
}
EOF
cat >extra.nix <<'EOF'
{ lib, ... }: {
  options.demo.name = lib.mkOption {
    type = lib.types.str;
    default = "demo";
    example = "other";
    description = "Name of the demo instance.";
  };
}
EOF

# block NAME: the text block of one option (its name line to the blank line).
block() { awk -v n="$1" '$0 == n { p = 1 } p && $0 == "" { exit } p' "$TEST_ROOT/opts.txt"; }

# ---- text ----------------------------------------------------------------

list_conf() { firn options -f conf.nix >opts.txt; }
check "options -f conf.nix succeeds despite a throwing default" list_conf
expect_eq "$(grep -c '^demo\.' opts.txt)" "11" "eleven demo options listed (not the internal or invisible ones)"
expect_eq "$(block demo.enable | grep -c 'type: *boolean')" "1" "demo.enable: type boolean"
expect_eq "$(block demo.enable | grep -c 'default: *false$')" "1" "demo.enable: default false"
expect_eq "$(block demo.enable | grep -c 'description: *Whether to enable the demo service\.$')" "1" "demo.enable: description"
expect_eq "$(block demo.enable | grep -c 'declared in: .*/conf\.nix$')" "1" "demo.enable: declared in conf.nix"
expect_eq "$(block demo.port | grep -c 'type: *signed integer$')" "1" "demo.port: type signed integer"
expect_eq "$(block demo.port | grep -c 'example: *80$')" "1" "demo.port: example 80"
expect_eq "$(block demo.name | grep -c 'declared in: .*/extra\.nix$')" "1" "demo.name: declared in the imported extra.nix"
expect_eq "$(block demo.name | grep -c 'example: *"other"$')" "1" "demo.name: example printed as a Nix string"
expect_eq "$(block 'demo.users.<name>.shell' | grep -c 'default: *"/bin/sh"$')" "1" "attrsOf submodule: demo.users.<name>.shell listed with its default"
expect_eq "$(block 'demo.users.<name>.home' | grep -c 'default: *"/home/${name}"$')" "1" "sub-option defaultText shown as its literalExpression text"
expect_eq "$(block 'demo.items.*.weight' | grep -c 'default: *1$')" "1" "listOf submodule: demo.items.*.weight listed"
expect_eq "$(block demo.stateDir | grep -c 'default: *"/var/lib/demo-${config.demo.name}"$')" "1" "defaultText literalExpression shown as its text"
expect_eq "$(block demo.stateDir | grep -c '^ *A second line of description\.$')" "1" "multi-line descriptions keep their lines"
expect_eq "$(block demo.broken | grep -c 'default: *<error: .*the broken default')" "1" "a throwing default shows the error"
expect_eq "$(block demo.tags | grep -c 'default: *{ a = 1; "b c" = 2; }$')" "1" "a set default printed as a Nix expression"
expect_eq "$(block demo.tags | grep -c 'read-only')" "1" "readOnly shown"
expect_eq "$(grep -c '^demo\.secret$' opts.txt)" "0" "internal option hidden"
expect_eq "$(grep -c '^demo\.hidden$' opts.txt)" "0" "invisible option hidden"
expect_eq "$(grep -c '^assertions$' opts.txt)" "0" "firn's internal assertions option hidden"
expect_eq "$(grep '^[a-z_]' opts.txt | LC_ALL=C sort -c && echo sorted)" "sorted" "options sorted by name"

firn options -f conf.nix --show-internal >internal.txt
expect_eq "$(grep -c '^demo\.secret$' internal.txt)" "1" "--show-internal lists the internal option"
expect_eq "$(grep -c '^assertions$' internal.txt)" "1" "--show-internal lists firn's assertions"
expect_eq "$(grep -c '^demo\.hidden$' internal.txt)" "0" "--show-internal still hides invisible options"

list_own() { firn options --show-internal >own.txt && grep -q '^warnings$' own.txt; }
check "options without -f lists firn's own modules" list_own

# ---- QUERY ---------------------------------------------------------------

expect_eq "$(firn options -f conf.nix DEMO.USERS | grep '^[a-z]' | tr '\n' ' ')" \
        "demo.users demo.users.<name>.home demo.users.<name>.shell " "QUERY: case-insensitive substring of the name"
expect_eq "$(firn options -f conf.nix 'firn-demo service listens' | grep '^[a-z]' | tr '\n' ' ')" \
        "demo.port " "QUERY: matches descriptions"
expect_eq "$(firn options -f conf.nix '^demo\.(port|enable)$' | grep '^[a-z]' | tr '\n' ' ')" \
        "demo.enable demo.port " "QUERY: extended regular expression"
expect_eq "$(firn options -f conf.nix 'no-such-option-anywhere' | wc -c)" "0" "QUERY matching nothing prints nothing"

# ---- JSON ----------------------------------------------------------------

if command -v jq >/dev/null 2>&1; then
        list_json() { firn options -f conf.nix --json >opts.json; }
        check "--json succeeds" list_json
        jqv() { jq -r "$1" opts.json; }
        expect_eq "$(jqv 'type')" "array" "--json prints an array"
        expect_eq "$(jqv 'map(.name) == (map(.name) | sort)')" "true" "--json sorted by name"
        expect_eq "$(jqv 'map(select(.name | startswith("demo."))) | length')" "11" "--json: eleven demo options"
        expect_eq "$(jqv '.[] | select(.name == "demo.port") | [.type, .default._type, .default.text, .example.text] | join("|")')" \
                "signed integer|literalExpression|8080|80" "--json: type, default and example of demo.port"
        expect_eq "$(jqv '.[] | select(.name == "demo.port") | .loc | join(",")')" "demo,port" "--json: loc"
        expect_eq "$(jqv '.[] | select(.name == "demo.port") | .declarations[0] | endswith("/conf.nix")')" "true" "--json: declarations"
        expect_eq "$(jqv '.[] | select(.name == "demo.port") | .description')" "TCP port the firn-demo service listens on." "--json: description"
        expect_eq "$(jqv '.[] | select(.name == "demo.users.<name>.shell") | .loc | join(",")')" "demo,users,<name>,shell" \
                "--json: sub-option loc has <name>"
        expect_eq "$(jqv '.[] | select(.name == "demo.stateDir") | .default.text')" '"/var/lib/demo-${config.demo.name}"' \
                "--json: defaultText's text"
        expect_eq "$(jqv '.[] | select(.name == "demo.broken") | .default._type')" "error" "--json: a throwing default is an error entry"
        expect_eq "$(jqv '.[] | select(.name == "demo.broken") | .default.text | contains("the broken default")')" "true" \
                "--json: the error's message"
        expect_eq "$(jqv '.[] | select(.name == "demo.tags") | .readOnly')" "true" "--json: readOnly"
        expect_eq "$(jqv 'map(select(.internal)) | length')" "0" "--json: no internal options by default"
        expect_eq "$(firn options -f conf.nix --json --show-internal | jq -r '.[] | select(.name == "demo.secret") | .internal')" \
                "true" "--json --show-internal: internal flag"
        expect_eq "$(firn options -f conf.nix --json '^demo\.port$' | jq -r 'map(.name) | join(",")')" "demo.port" "--json with QUERY"
else
        pass "jq not installed: --json checks skipped"
fi

# ---- HTML ----------------------------------------------------------------

check "--html writes DIR/index.html (creating DIR)" firn options -f conf.nix --html site/options
expect_eq "$(ls -A site/options)" "index.html" "only index.html in DIR (no temporary files left)"
H=site/options/index.html
check "the page is HTML" grep -qi '^<!DOCTYPE html>' $H
check "the page has a search box" grep -q '<input id="q" type="search"' $H
check "the page filters client-side (inline script)" grep -q '<script>' $H
expect_eq "$(grep -c 'class="opt"' $H)" "$(grep -c '^[a-z_]' opts.txt)" "the page has one entry per listed option"
check "sub-option names are escaped" grep -q 'demo.users.&lt;name&gt;.shell' $H
check "descriptions are on the page" grep -q 'TCP port the firn-demo service listens on.' $H
check "the error of a throwing default is on the page" grep -q 'the broken default' $H
expect_eq "$(grep -Eci '(src|href)="(https?:)?//|@import|url\(' $H)" "0" "the page loads nothing from the network"
expect_eq "$(grep -c 'hunter2' $H)" "0" "internal options are not on the page"
ino=$(stat -c %i $H)
check "--html again replaces the page" firn options -f conf.nix --html site/options '^demo\.enable$'
expect_eq "$(grep -c 'class="opt"' $H)" "1" "the new page holds the new listing"
expect_eq "$(ls -A site/options)" "index.html" "still only index.html"
[ "$(stat -c %i $H)" != "$ino" ] && pass "the page was replaced by a rename" || fail "the page was replaced by a rename"

# ---- errors --------------------------------------------------------------

expect_fail "a missing -f file fails" firn options -f no-such-file.nix
echo '{ lib, ... }: { options.x = lib.mkOption { ' >bad.nix
expect_fail "a module that does not parse fails" firn options -f bad.nix
expect_fail "an unknown flag fails" firn options --no-such-flag
printf '<p>old</p>\n' >not-a-dir
expect_fail "--html into a file that is not a directory fails" firn options -f conf.nix --html not-a-dir
expect_eq "$(cat not-a-dir)" "<p>old</p>" "and leaves it alone"

finish
