#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# Seed corpora for the libFuzzer harnesses in tests/fuzz: one directory per
# harness (json, plugin-config, reference, template, manifest, registry-auth,
# image-config, volume-plugin, tar-layer) under OUTDIR, each input shaped as
# the harness's comment describes. The sparse tar seeds need GNU tar.
#
# Usage: tests/fuzz/mkseeds.py OUTDIR
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

SRCDIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = os.path.join(SRCDIR, "tests", "libberth", "configs")


def digest(s):
    return "sha256:" + hashlib.sha256(s.encode()).hexdigest()


def write(outdir, harness, name, data):
    d = os.path.join(outdir, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def plugin_configs(outdir):
    """fuzz-json, fuzz-plugin-config: the configs of the unit tests, and
    `plugin set` arguments after a NUL"""
    mini = json.dumps({
        "Interface": {"Socket": "s.sock", "Types": ["docker.volumedriver/1.0"]},
        "Entrypoint": ["/bin/x"],
        "Env": [{"Name": "E", "Settable": ["value"], "Value": "v"}],
        "Mounts": [{"Name": "m", "Settable": ["source"], "Source": "/x", "Destination": "/y",
                    "Type": "bind", "Options": ["rbind"]}],
        "Linux": {"Capabilities": ["CAP_SYS_ADMIN"], "AllowAllDevices": True,
                  "Devices": [{"Name": "d", "Settable": ["path"], "Path": "/dev/fuse"}]},
        "Args": {"Name": "args", "Settable": ["value"], "Value": ["a"]},
        "Network": {"Type": "host"}, "PropagatedMount": "/data", "IpcHost": True,
        "PidHost": True, "User": {"UID": 1, "GID": 2},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:00"]}})
    configs = {"mini": mini}
    for name in sorted(os.listdir(CONFIGS)):
        if name.endswith(".json"):
            with open(os.path.join(CONFIGS, name)) as f:
                configs[name[:-5]] = f.read()
    for name, text in configs.items():
        write(outdir, "json", name, text)
        write(outdir, "plugin-config", name, text)
    write(outdir, "json", "privileges",
          '[{"Name":"network","Description":"d","Value":["host"]},null,{"Value":null}]')
    write(outdir, "json", "settings",
          '{"Args":[],"Devices":[{"Name":"d","Path":null}],"Env":["A=b"],'
          '"Mounts":[{"Source":"/a","Destination":"/b"}]}')
    sets = [["DEBUG=1"], ["sshkey.source=/home/x/.ssh"], ["args=-o allow_other"],
            ["DEBUG.value=1", "myargs.value=a b"], ["dev.path=/dev/fuse", "x"], [".a=b", "=x"],
            ["E=w", "m.source=/z", "d.path=/dev/null", "args=b c"]]
    base = configs.get("sshfs-blob", mini)
    for i, args in enumerate(sets):
        write(outdir, "plugin-config", "set%d" % i, "\0".join([base] + args))
    write(outdir, "plugin-config", "mini-set", "\0".join([mini] + sets[-1]))


def references(outdir):
    """fuzz-reference: references of every shape Docker parses, and some it
    refuses"""
    refs = [
        "busybox", "busybox:latest", "docker.io/library/busybox:latest", "library/busybox",
        "index.docker.io/busybox:1.36", "vieux/sshfs", "index.docker.io/vieux/sshfs:next",
        "localhost:5000/vieux/sshfs:1.0", "localhost/foo", "127.0.0.1:8000/private/moonbase",
        "xn--n3h.com:18080/foo", "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
        "[fc00::1]:5000/docker/docker", "[::1]:5000/repo:tag", "[2001:db8::1]/repo",
        "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa",
        "redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
        "busybox@sha512:" + "f" * 128,
        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "dbcc1", "Uppercase:tag", "docker.io/library/Foo", "foo/\u00c4\u00c4/foo",
        "https://github.com/docker/docker", "docker///docker", "dock..er/docker",
        "foo:foo:-tag", "[fe80::1%eth0]:5000/debian", "validname@SHA256:" + "f" * 64,
        "busybox:" + "w" * 130, "example.com/" + "a" * 260 + ":tag",
    ]
    for i, ref in enumerate(refs):
        write(outdir, "reference", "ref%02d" % i, ref)


def templates(outdir):
    """fuzz-template: a --format template, a NUL, then the data"""
    data = json.dumps({
        "Id": "abc123", "Name": "vieux/sshfs:latest", "Enabled": True,
        "Settings": {"Env": ["DEBUG=0", "X=1"], "Args": []},
        "Config": {"Entrypoint": ["/docker-volume-sshfs"], "Interface": {"Socket": "sshfs.sock"},
                   "Count": 3},
        "Null": None}, separators=(",", ":"))
    tmpls = ["{{.Id}}", "{{.ID}}: {{.Name}}", "{{.Enabled}}", "{{.Settings.Env}}",
             "{{json .Settings.Env}}", "{{json .Config.Interface}}",
             '{{join .Settings.Env ","}}', "{{.Config.Count}}", "{{.Missing}}", "{{.Null}}",
             "{{json .Null}}", "{{upper .Name}}", "{{lower .Name}} {{title .Name}}",
             "plain text", "{{.Id}}\\t{{.Name}}\\n", "{{ .Id }}-{{.Id}}", "{{.Id", "`{{.Id}}`"]
    for i, t in enumerate(tmpls):
        write(outdir, "template", "t%02d" % i, t + "\0" + data)


def manifests(outdir):
    """fuzz-manifest: byte 0 picks the Content-Type, then the body"""
    cfg = {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1469,
           "digest": digest("c")}
    lay = [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 2 + i,
            "digest": digest("l%d" % i)} for i in range(3)]
    plats = [{"os": "linux", "architecture": "amd64"},
             {"os": "linux", "architecture": "arm64", "variant": "v8"},
             {"os": "linux", "architecture": "arm", "variant": "v7"},
             {"os": "windows", "architecture": "amd64", "os.version": "10"}]
    ents = [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 100 + i,
             "digest": digest("m%d" % i), "platform": p} for i, p in enumerate(plats)]
    docs = [
        (1, {"schemaVersion": 2,
             "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
             "config": cfg, "layers": lay}),
        (3, {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
             "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
             "layers": [dict(l, mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
                        for l in lay],
             "annotations": {"a": "b"}}),
        (0, {"schemaVersion": 2,
             "config": dict(cfg, mediaType="application/vnd.docker.plugin.v1+json"),
             "layers": lay[:1]}),
        (4, {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": ents}),
        (2, {"schemaVersion": 2,
             "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
             "manifests": [dict(e, mediaType="application/vnd.docker.distribution.manifest.v2+json")
                           for e in ents]}),
        (0, {"schemaVersion": 2, "manifests": ents[:2] + [
            {"mediaType": "x", "size": 1, "digest": digest("x"), "platform": "str"}]}),
        (6, {"schemaVersion": 1, "name": "x"}),
    ]
    for i, (ct, doc) in enumerate(docs):
        write(outdir, "manifest", "seed%d" % i,
              bytes([ct]) + json.dumps(doc, indent=(3 if i % 2 else None)).encode())


def registry_answers(outdir):
    """fuzz-registry-auth: a flags byte, then answers separated by NULs"""
    man = json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 10,
                   "digest": digest("c")},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 5,
                    "digest": digest("l")}]})
    ok = ("200\nContent-Type: application/vnd.docker.distribution.manifest.v2+json\n"
          "Docker-Content-Digest: %s\n\n%s" % (digest("m"), man))
    bearer = ('401\nWWW-Authenticate: Bearer realm="https://auth.example/token",'
              'service="registry.example",scope="repository:library/busybox:pull"\n\n'
              '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required",'
              '"detail":[{"Type":"repository","Name":"library/busybox","Action":"pull"}]}]}')
    tok = ('200\nContent-Type: application/json\n\n{"token":"abc.def.ghi",'
           '"access_token":"abc.def.ghi","expires_in":300,"issued_at":"2024-01-01T00:00:00Z"}')
    blob = "200\nContent-Length: 0\n\n"
    seeds = [
        (0, [ok]),
        (0, [bearer, tok, ok]),
        (1, [bearer, tok, ok]),
        (2, ['401\nWWW-Authenticate: Bearer realm="https://auth.example/token?x=1",'
             'service=registry.example\n\n', '200\n\n{"access_token":"t"}', ok]),
        (1, ['401\nWWW-Authenticate: Basic realm="Registry Realm"\n\n', ok]),
        (0, ["307\nLocation: https://cdn.example/blobs/sha256/ab?sig=1\n\n", ok]),
        (0, ["302\nLocation: /v2/library/busybox/manifests/sha256:00\n\n", ok]),
        (0, ['404\nContent-Type: application/json\n\n{"errors":[{"code":"MANIFEST_UNKNOWN",'
             '"message":"manifest unknown","detail":{"Tag":"latest"}}]}']),
        (0, [bearer, '401\n\n{"details":"incorrect username or password"}']),
        (0, [bearer, '403\n\n{"error":"denied"}']),
        (0, ["503\nRetry-After: 1\n\n", ok]),
        (0, ["200\nContent-Length: 99999999\n\n{}"]),
        (0, ['401\nWWW-Authenticate: Bearer realm="https://auth.example/token",'
             'error="insufficient_scope"\n\n', '200\n\n{"token":"x","expires_in":60}',
             '401\nWWW-Authenticate: Bearer realm="https://auth.example/token"\n\n']),
        (4 | (15 << 3), ["200\n\n0123456789abcdef"]),
        (4 | (15 << 3), ["206\nContent-Range: bytes 0-7/16\n\n01234567",
                         "206\nContent-Range: bytes 8-15/16\n\n89abcdef"]),
        (5, [bearer, tok, "307\nLocation: https://cdn.example/blob?sig=1\n\n", blob]),
    ]
    for i, (flags, answers) in enumerate(seeds):
        write(outdir, "registry-auth", "seed%02d" % i,
              bytes([flags]) + b"\0".join(a.encode() for a in answers))


def image_configs(outdir):
    """fuzz-image-config: an image config"""
    base = {"architecture": "amd64", "os": "linux", "created": "2024-01-02T03:04:05.123456789Z",
            "config": {"Env": ["PATH=/usr/bin:/bin", "A=b"], "Cmd": ["sh", "-c", "echo hi"],
                       "Entrypoint": None, "WorkingDir": "/", "User": "1000:1000",
                       "Labels": {"a": "b"}},
            "rootfs": {"type": "layers", "diff_ids": [digest("a"), digest("b")]},
            "history": [{"created": "2024-01-01T00:00:00Z",
                         "created_by": "/bin/sh -c #(nop) ADD file:x in / "}]}
    seeds = [
        base,
        {"rootfs": {"type": "layers", "diff_ids": []}},
        {"rootfs": {"type": "layers", "diff_ids": [digest("x")]},
         "created": "2024-02-30T25:61:61+14:00", "config": {"Env": None}},
        {"architecture": "arm64", "variant": "v8", "os": "linux",
         "created": "0001-01-01T00:00:00Z", "comment": "c", "config": {"Cmd": "notanarray"},
         "rootfs": {"diff_ids": [digest("y")]}},
        {"rootfs": {"diff_ids": ["sha256:XYZ"]}},
    ]
    for i, doc in enumerate(seeds):
        write(outdir, "image-config", "seed%d" % i, json.dumps(doc, indent=(2 if i % 2 else None)))


def plugin_answers(outdir):
    """fuzz-volume-plugin: chunk size - 1, method and plugin kind, then the
    plugin's HTTP answer (or with bit 5 a volume record)"""
    def http(body, status="200 OK", chunked=False):
        b = body.encode()
        head = "HTTP/1.1 %s\r\nContent-Type: application/vnd.docker.plugins.v1+json\r\n" % status
        if chunked:
            mid = len(b) // 2
            return ((head + "Transfer-Encoding: chunked\r\n\r\n").encode()
                    + b"%x\r\n" % mid + b[:mid] + b"\r\n" + b"%x;ext=1\r\n" % (len(b) - mid)
                    + b[mid:] + b"\r\n0\r\n\r\n")
        return (head + "Content-Length: %d\r\n\r\n" % len(b)).encode() + b

    record = json.dumps({"Name": "vol1", "Driver": "fuzz/volume:latest", "PluginId": "0123",
                         "CreatedAt": "2024-01-01T00:00:00Z", "Mountpoint": "/var/lib/x",
                         "Scope": "global", "Labels": {"a": "b"}, "Options": {"o": "p"},
                         "Mounts": [{"ID": "m1", "Path": "/p"}, {"ID": "m2"}]}).encode()
    seeds = [
        (7, 0, http('{"Capabilities":{"Scope":"global"}}')),
        (63, 1, http('{"Volume":{"Name":"vol1","Mountpoint":"/mnt/volumes/vol1",'
                     '"CreatedAt":"2024-01-01T00:00:00Z","Status":{"a":"b","n":[1,2]}},"Err":""}')),
        (255, 2, http('{"Mountpoint":"/mnt/volumes/../../etc","Err":""}')),
        (3, 3 | 8, http('{"Mountpoint":"/data/x"}', chunked=True)),
        (31, 3 | 24, http('{"Mountpoint":"relative/path"}')),
        (15, 4, http('{"Err":"boom"}', status="500 Internal Server Error")),
        (15, 5, b"HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n{}"),
        (15, 6, http("404 page not found", status="404 Not Found")),
        (0, 1 | 16, http('{"Volume":{"Name":"vol1","Mountpoint":"/x"}}', chunked=True)),
        (9, 0x20, record),
    ]
    for i, (chunk, method, body) in enumerate(seeds):
        write(outdir, "volume-plugin", "seed%d" % i, bytes([chunk, method]) + body)


def tar_layers(outdir):
    """fuzz-tar-layer: uncompressed layer tars"""
    D, L, H = tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE
    C, B, F = tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE

    def build(entries, fmt=tarfile.PAX_FORMAT):
        out = io.BytesIO()
        t = tarfile.open(fileobj=out, mode="w", format=fmt)
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            ti.type = e.get("type", tarfile.REGTYPE)
            ti.mode = e.get("mode", 0o755 if ti.type == D else 0o644)
            ti.uid = e.get("uid", 0)
            ti.gid = e.get("gid", 0)
            ti.mtime = 1700000000
            ti.linkname = e.get("link", "")
            ti.devmajor = e.get("major", 0)
            ti.devminor = e.get("minor", 0)
            ti.pax_headers = e.get("pax", {})
            data = e.get("data", b"")
            if ti.type == tarfile.REGTYPE:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
            else:
                t.addfile(ti)
        t.close()
        return out.getvalue()[:t.offset]

    seeds = {
        "plain": [{"name": "./", "type": D}, {"name": "bin", "type": D},
                  {"name": "bin/sh", "data": b"#!/bin/sh\necho hi\n", "mode": 0o755,
                   "uid": 1000, "gid": 1000},
                  {"name": "bin/sh2", "type": H, "link": "bin/sh"},
                  {"name": "lib", "type": L, "link": "/usr/lib"}],
        "whiteouts": [{"name": "a/b/.wh.f"}, {"name": "opq/.wh..wh..opq"},
                      {"name": "opq/new", "data": b"n"}, {"name": ".wh..wh.plnk", "type": D},
                      {"name": ".wh.etc"}],
        "devices": [{"name": "dev", "type": D},
                    {"name": "dev/zero", "type": C, "major": 1, "minor": 5},
                    {"name": "dev/sda", "type": B, "major": 8, "minor": 0, "mode": 0o660},
                    {"name": "dev/fifo", "type": F}, {"name": "dev/zero2", "type": H,
                                                      "link": "dev/zero"}],
        "pax-long": [{"name": "d/" + "x" * 200 + "/" + "y" * 120, "data": b"long"},
                     {"name": "attr", "data": b"a",
                      "pax": {"SCHILY.xattr.user.foo": "bar",
                              "SCHILY.xattr.security.capability":
                                  "\x01\x00\x00\x02\x00\x20\x00\x00",
                              "SCHILY.xattr.user.berth.device": "c 1 3"}},
                     {"name": "dirx", "type": D,
                      "pax": {"SCHILY.xattr.trusted.overlay.opaque": "y"}},
                     {"name": "lnk", "type": L, "link": "t" * 300}],
        "hostile": [{"name": "/abs/file", "data": b"abs"}, {"name": "x/../y", "data": b"y"},
                    {"name": "s", "type": L, "link": "/etc"},
                    {"name": "s/passwd", "data": b"pwn"},
                    {"name": "../../escape", "data": b"e"}],
        "replace": [{"name": "a/b", "data": b"file replacing dir"}, {"name": "a/link", "type": D},
                    {"name": "f", "data": b"1"}, {"name": "f", "type": D},
                    {"name": "f/g", "data": b"2"}, {"name": "h", "type": H, "link": "f/g"},
                    {"name": "f", "data": b"3"}],
    }
    for name, entries in seeds.items():
        write(outdir, "tar-layer", name + ".tar", build(entries))
    write(outdir, "tar-layer", "gnu-long.tar",
          build([{"name": "g/" + "z" * 150, "data": b"gnu"},
                 {"name": "gl", "type": L, "link": "q" * 200}], tarfile.GNU_FORMAT))
    write(outdir, "tar-layer", "ustar.tar",
          build([{"name": "u/v/w", "data": b"ustar", "uid": 65534, "gid": 65534,
                  "mode": 0o4755}], tarfile.USTAR_FORMAT))

    # GNU and PAX sparse files, by GNU tar, without the trailing zero blocks
    # tar pads to its record size
    if shutil.which("tar") is None:
        print("no tar: no sparse seeds", file=sys.stderr)
        return
    tmp = tempfile.mkdtemp()
    try:
        with open(os.path.join(tmp, "sparse"), "wb") as f:
            f.seek(8192)
            f.write(b"mid")
            f.seek(40000)
            f.write(b"end")
        for fmt in ("gnu", "posix"):
            path = os.path.join(tmp, fmt + ".tar")
            subprocess.run(["tar", "--sparse", "--format=" + fmt, "-C", tmp, "-cf", path,
                            "sparse"], check=True)
            with open(path, "rb") as f:
                data = f.read().rstrip(b"\0")
            blocks = (len(data) + 511) // 512 * 512
            write(outdir, "tar-layer", "sparse-%s.tar" % fmt,
                  data.ljust(blocks, b"\0") + b"\0" * 1024)
    finally:
        shutil.rmtree(tmp)


def main():
    if len(sys.argv) != 2:
        print("usage: %s OUTDIR" % sys.argv[0], file=sys.stderr)
        return 2
    outdir = sys.argv[1]
    plugin_configs(outdir)
    references(outdir)
    templates(outdir)
    manifests(outdir)
    registry_answers(outdir)
    image_configs(outdir)
    plugin_answers(outdir)
    tar_layers(outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
