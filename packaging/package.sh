#!/usr/bin/env bash
# Release artifacts from a built node jar: a tarball (bin/, lib/, conf/, the unit, LICENSE) and a
# Debian package. Called by `bin/vipkeeper package` (which builds first) and by the packaging test.
#   packaging/package.sh NODE_JAR OUT_DIR
set -euo pipefail
die() { echo "package.sh: $*" >&2; exit 2; }
[ $# -eq 2 ] || die "usage: package.sh NODE_JAR OUT_DIR"
jar=$1 out=$2
[ -f "$jar" ] || die "no node jar at $jar: build first (bin/vipkeeper build)"
command -v dpkg-deb >/dev/null || die "dpkg-deb is missing: apt-get install dpkg"
src=$(cd "$(dirname "$0")/.." && pwd)
# The version comes from the jar's name (the POM's), never from a copy here.
version=$(basename "$jar" | sed -n 's/^vipkeeper-node-\(.*\)-all\.jar$/\1/p')
[ -n "$version" ] || die "cannot read the version from the jar's name: $(basename "$jar")"
debversion=${version/-SNAPSHOT/~SNAPSHOT}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

# The tarball: an installed copy that runs from where it is unpacked.
t="$work/vipkeeper-$version"
mkdir -p "$t/bin" "$t/lib" "$t/conf"
cp "$src/bin/vipkeeper" "$t/bin/"
cp "$jar" "$t/lib/vipkeeper-node.jar"
cp "$src/modules/node/src/main/cds/vipkeeper-node.classlist" "$t/lib/"  # the launcher makes the class archive from it
cp "$src/conf/application.conf" "$src/conf/logback.xml" "$src/conf/jvm.options" "$src/conf/logback-journald.xml" "$src/conf/vipkeeper.service" "$t/conf/"
cp "$src/LICENSE" "$src/README.md" "$t/"
tar -C "$work" -czf "$out/vipkeeper-$version.tar.gz" --owner=0 --group=0 "vipkeeper-$version"

# The Debian package: /opt/vipkeeper (conf -> /etc/vipkeeper), the unit, /usr/bin/vipkeeper.
d="$work/deb"
mkdir -p "$d/DEBIAN" "$d/opt/vipkeeper/bin" "$d/opt/vipkeeper/lib" "$d/etc/vipkeeper" "$d/etc/default" \
  "$d/lib/systemd/system" "$d/usr/bin" "$d/usr/share/doc/vipkeeper"
cp "$src/bin/vipkeeper" "$d/opt/vipkeeper/bin/"
cp "$jar" "$d/opt/vipkeeper/lib/vipkeeper-node.jar"
cp "$src/modules/node/src/main/cds/vipkeeper-node.classlist" "$d/opt/vipkeeper/lib/"  # postinst makes the class archive from it
ln -s ../../etc/vipkeeper "$d/opt/vipkeeper/conf"  # relative: also right inside an unpacked root
ln -s ../../opt/vipkeeper/bin/vipkeeper "$d/usr/bin/vipkeeper"
cp "$src/conf/application.conf" "$src/conf/logback.xml" "$src/conf/jvm.options" "$src/conf/logback-journald.xml" "$d/etc/vipkeeper/"
cp "$src/packaging/deb/default" "$d/etc/default/vipkeeper"
cp "$src/conf/vipkeeper.service" "$d/lib/systemd/system/vipkeeper.service"
cp "$src/LICENSE" "$d/usr/share/doc/vipkeeper/copyright"
cp "$src/packaging/deb/postinst" "$src/packaging/deb/prerm" "$src/packaging/deb/postrm" "$d/DEBIAN/"
chmod 0755 "$d/DEBIAN/postinst" "$d/DEBIAN/prerm" "$d/DEBIAN/postrm" "$d/opt/vipkeeper/bin/vipkeeper"
printf '/etc/vipkeeper/application.conf\n/etc/vipkeeper/logback.xml\n/etc/vipkeeper/jvm.options\n/etc/vipkeeper/logback-journald.xml\n/etc/default/vipkeeper\n' > "$d/DEBIAN/conffiles"
sed -e "s/@VERSION@/$debversion/" -e "s/@SIZE@/$(du -sk "$d" | cut -f1)/" "$src/packaging/deb/control" > "$d/DEBIAN/control"
dpkg-deb --root-owner-group --build "$d" "$out/vipkeeper_${debversion}_all.deb" >/dev/null
echo "$out/vipkeeper-$version.tar.gz"
echo "$out/vipkeeper_${debversion}_all.deb"
