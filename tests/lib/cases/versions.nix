# lib.versions.
{ lib }:
let
  v = lib.versions;
in
{
  testSplitVersion = { expr = v.splitVersion "1.2.3"; expected = [ "1" "2" "3" ]; };
  testSplitVersionPre = { expr = v.splitVersion "1.2pre3"; expected = [ "1" "2" "pre" "3" ]; };
  testSplitVersionDash = { expr = v.splitVersion "2.0-rc1"; expected = [ "2" "0" "rc" "1" ]; };
  testMajor = { expr = v.major "1.2.3"; expected = "1"; };
  testMinor = { expr = v.minor "1.2.3"; expected = "2"; };
  testPatch = { expr = v.patch "1.2.3"; expected = "3"; };
  testMajorMinor = { expr = v.majorMinor "1.2.3"; expected = "1.2"; };
  testMajorMinorShort = { expr = v.majorMinor "5"; expected = "5"; };
  testMajorMinorPre = { expr = v.majorMinor "6.1-rc3"; expected = "6.1"; };
  testPad = { expr = v.pad 3 "1.2"; expected = "1.2.0"; };
  testPadSuffix = { expr = v.pad 3 "1.3-rc1"; expected = "1.3.0-rc1"; };
  testPadTruncate = { expr = v.pad 3 "1.2.3.4-rc1"; expected = "1.2.3-rc1"; };
}
