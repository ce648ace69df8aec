#!/bin/bash
# firn pkgs search/show over apt's index: hand-written lists (the same
# fixtures as tests/debian/test-index.c) for exact answers, then the real
# lists against apt's own candidate and fields.
fixtures=$(cd "$(dirname "$0")/../debian/index-fixtures/lists" && pwd)
. "$(dirname "$0")/test-lib.sh"

FIRN_APT_LISTS=$fixtures firn pkgs show libc6 >show.txt 2>&1
expect_eq "$(awk '$1 == "Version:" { print $2 }' show.txt)" "2.36-9+deb12u10" \
        "show: the candidate is the highest version across suites"
expect_eq "$(awk '$1 == "Also:" { print $2, $3 }' show.txt)" "2.36-9+deb12u7 (bookworm-security)" \
        "show: the other suites' versions are listed"
expect_eq "$(awk '$1 == "Source:" { print $2 }' show.txt)" "glibc" "show: Source"

FIRN_APT_LISTS=$fixtures firn pkgs search '^hello$' >search.txt 2>&1
expect_eq "$(head -1 search.txt)" "hello 2.10-3" "search: a name by regular expression"
FIRN_APT_LISTS=$fixtures firn pkgs search 'GNU HELLO' >search2.txt 2>&1
expect_eq "$(head -1 search2.txt)" "hello 2.10-3" "search: synopses, case-insensitively"

expect_fail "show: an unknown name fails" env FIRN_APT_LISTS="$fixtures" "$FIRN" pkgs show helo
FIRN_APT_LISTS=$fixtures "$FIRN" pkgs show helo 2>err.txt
check "show: an unknown name gets a suggestion" grep -q 'Did you mean.*hello' err.txt
expect_fail "search: an invalid regular expression fails" env FIRN_APT_LISTS="$fixtures" "$FIRN" pkgs search '('
expect_fail "an empty lists directory is an error" env FIRN_APT_LISTS="$TEST_ROOT" "$FIRN" pkgs show hello

# The real index: firn's candidate and fields equal apt's.
if ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 && command -v apt-cache >/dev/null; then
        for pkg in bash libc6 systemd openssh-server; do
                firn pkgs show "$pkg" >real.txt 2>&1
                want=$(apt-cache policy "$pkg" | awk '$1 == "Candidate:" { print $2 }')
                # apt's candidate may come from a source outside these lists
                # (a pinned third-party repository): compare with the lists' own.
                expect_eq "$(awk '$1 == "Version:" { print $2 }' real.txt)" "$want" "real index: $pkg's candidate is apt's"
                sha=$(apt-cache show "$pkg=$want" | awk '$1 == "SHA256:" { print $2; exit }')
                expect_eq "$(awk '$1 == "SHA256:" { print $2 }' real.txt)" "$sha" "real index: $pkg's SHA256 is apt's"
        done
else
        fail "apt's lists are missing (run apt-get update)"
fi

finish
