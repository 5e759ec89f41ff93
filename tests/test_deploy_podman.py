#!/usr/bin/env python3
"""The container image and the Kubernetes manifests, for real, with podman (slow: OFS_SLOW_TESTS=0
skips it; needs root, podman, buildah, mmdebstrap, runc, catatonit, PyYAML; skips, saying why,
when the machine refuses).

1. deploy/container/build.sh builds the image from this build's binaries; its size is printed.
2. `podman run --read-only` with a snapshot on a read-only volume: ready, answers a search, runs
   as user 10001, `ofsearch verify` works inside, nothing can be written outside /tmp, the
   HEALTHCHECK passes.
3. `podman kube play`: the CronJob's pod (build the index from corpus/operate-first, publish a
   snapshot) and then the Deployment (2 replicas; each pod's init container fetches the newest
   verified snapshot): every replica ready with the published index and answering searches.
   Manifests rendered by `kubectl kustomize deploy/kubernetes/overlays/example` when kubectl is
   here, else the base files as they are. Changes for podman 4.3 only: host paths for the
   volumes, restartPolicy OnFailure (with Always it restarts finished init containers for ever),
   no containerPort (it publishes each on the host, so a second replica cannot bind).

usage: test_deploy_podman.py BUILD_ROOT
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

SKIP = 77
SRC = os.path.abspath(os.environ.get("OFS_SOURCE_ROOT", os.path.join(os.path.dirname(__file__),
                                                                    "..")))
CONF = os.path.join(SRC, "deploy", "container", "containers.conf")
ENV = dict(os.environ, CONTAINERS_CONF=os.environ.get("CONTAINERS_CONF", CONF))
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what, flush=True)


def sh(*args, check_rc=False, timeout=600):
    p = subprocess.run(list(args), capture_output=True, text=True, env=ENV, timeout=timeout)
    if check_rc and p.returncode != 0:
        raise RuntimeError("%s: %s%s" % (" ".join(args), p.stdout, p.stderr))
    return p


def get(url, timeout=3):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        return 0, str(e)


def wait_ready(url, seconds=30):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        status, body = get(url)
        if status == 200:
            return body
        time.sleep(0.3)
    return None


def skip_reason():
    if os.environ.get("OFS_SLOW_TESTS") == "0":
        return "slow test (OFS_SLOW_TESTS=0, e.g. the sanitizer run)"
    if os.geteuid() != 0:
        return "needs root (mmdebstrap, buildah and podman storage)"
    for tool in ("podman", "buildah", "mmdebstrap", "runc", "catatonit"):
        if not shutil.which(tool) and not os.path.exists("/usr/libexec/podman/" + tool):
            return "%s is not installed (scripts/deps.sh --test installs it)" % tool
    try:
        import yaml  # noqa: F401
    except ImportError:
        return "PyYAML is missing"
    return None


def pod_ip(pod):
    infra = sh("podman", "pod", "inspect", pod, "--format", "{{.InfraContainerID}}").stdout.strip()
    return sh("podman", "inspect", infra, "--format",
              "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}").stdout.strip()


def manifests():
    """The example overlay rendered by kubectl when it is here, else the base files."""
    import yaml
    kdir = os.path.join(SRC, "deploy", "kubernetes")
    if shutil.which("kubectl"):
        p = sh("kubectl", "kustomize", os.path.join(kdir, "overlays", "example"), check_rc=True)
        return list(yaml.safe_load_all(p.stdout)), "kubectl kustomize overlays/example"
    docs = []
    for name in sorted(os.listdir(os.path.join(kdir, "base"))):
        if name != "kustomization.yaml":
            with open(os.path.join(kdir, "base", name)) as f:
                docs += list(yaml.safe_load_all(f))
    return docs, "base files (no kubectl)"


def for_podman(spec, image, paths):
    """podman 4.3's needs (see the module comment); volumes by name -> host paths."""
    spec["restartPolicy"] = "OnFailure" if spec.get("restartPolicy") == "Always" or \
        "restartPolicy" not in spec else spec["restartPolicy"]
    for v in spec["volumes"]:
        if v["name"] in paths:
            for k in ("persistentVolumeClaim", "emptyDir", "hostPath"):
                v.pop(k, None)
            v["hostPath"] = {"path": paths[v["name"]], "type": "Directory"}
    for c in spec.get("initContainers", []) + spec["containers"]:
        c["image"] = image
        c.pop("ports", None)
        for probe in ("readinessProbe", "livenessProbe"):
            if probe in c:
                c[probe]["httpGet"]["port"] = 8080


def run_container(image, tmp, ofs):
    snaps = os.path.join(tmp, "snaps")
    os.makedirs(snaps)
    db = os.path.join(tmp, "of.db")
    sh(ofs, "index", "--db", db, "--quiet", "--collection",
       "of=" + os.path.join(SRC, "corpus", "operate-first"), check_rc=True)
    sh(ofs, "snapshot", "--db", db, "--quiet", os.path.join(snaps, "index.db"), check_rc=True)
    name = "ofs-test-%d" % os.getpid()
    p = sh("podman", "run", "-d", "--name", name, "--read-only", "-v", snaps + ":/data:ro",
           "-p", "127.0.0.1::8080", image)
    if p.returncode != 0:
        print("SKIP: podman cannot run a container here: " + p.stderr.strip())
        return SKIP
    try:
        port = sh("podman", "port", name, "8080").stdout.strip().rsplit(":", 1)[-1]
        body = wait_ready("http://127.0.0.1:%s/readyz" % port)
        check(body and json.loads(body)["sections"] == 302, "container ready: %s" % body)
        status, body = get("http://127.0.0.1:%s/api/search?q=argocd" % port)
        check(status == 200 and json.loads(body)["hits"], "search in the container")
        top = sh("podman", "top", name, "huser").stdout.split()
        check(top[1:] == ["10001"], "runs as 10001: %s" % top)
        p = sh("podman", "exec", name, "/usr/bin/ofsearch", "verify", "/data/index.db")
        check(p.returncode == 0, "verify inside: " + p.stderr)
        for target in ("/data/copy.db", "/copy.db", "/usr/copy.db"):
            p = sh("podman", "exec", name, "/usr/bin/ofsearch", "snapshot", "--db",
                   "/data/index.db", target)
            check(p.returncode == 1 and "Read-only file system" in p.stderr,
                  "writing %s refused: %s" % (target, p.stderr))
        p = sh("podman", "healthcheck", "run", name)
        check(p.returncode == 0, "HEALTHCHECK: %s %s" % (p.stdout, p.stderr))
    finally:
        sh("podman", "rm", "-f", name)
    return 0


def kube_play(image, tmp):
    import yaml
    docs, how = manifests()
    print("manifests:", how)
    kinds = sorted(d["kind"] for d in docs)
    check({"Deployment", "Service", "PodDisruptionBudget", "HorizontalPodAutoscaler",
           "CronJob"} <= set(kinds), "kinds %s" % kinds)
    paths = {"docs": os.path.join(SRC, "corpus", "operate-first"),
             "snapshots": os.path.join(tmp, "published")}
    os.makedirs(paths["snapshots"])
    os.chmod(paths["snapshots"], 0o777)  # the pods run as 10001
    cron = next(d for d in docs if d["kind"] == "CronJob")
    deploy = next(d for d in docs if d["kind"] == "Deployment")
    suffix = str(os.getpid())
    job_spec = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    for_podman(job_spec, image, paths)
    job = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "ofsearch-publish-" + suffix}, "spec": job_spec}
    dep_spec = deploy["spec"]["template"]["spec"]
    for_podman(dep_spec, image, paths)
    deploy["metadata"] = {"name": "ofsearch-" + suffix}
    deploy["spec"]["replicas"] = 2
    files = {}
    for name, doc in (("publish", job), ("deploy", deploy)):
        files[name] = os.path.join(tmp, name + ".yaml")
        with open(files[name], "w") as f:
            yaml.safe_dump(doc, f)
    try:
        p = sh("podman", "kube", "play", files["publish"])
        if p.returncode != 0:
            print("SKIP: podman kube play refused the CronJob's pod: " + p.stderr.strip())
            return SKIP
        end = time.monotonic() + 120
        published = []
        while time.monotonic() < end and not published:
            published = [n for n in os.listdir(paths["snapshots"]) if n.endswith(".db.json")]
            time.sleep(0.5)
        check(len(published) == 1, "the CronJob's pod published a snapshot: %s" % published)
        m = {}
        if published:
            with open(os.path.join(paths["snapshots"], published[0])) as f:
                m = json.load(f)
            print("published %s: %d documents, %d sections" % (published[0], m["documents"],
                                                               m["sections"]))
        p = sh("podman", "kube", "play", files["deploy"])
        check(p.returncode == 0, "kube play of the Deployment: " + p.stderr)
        pods = sh("podman", "pod", "ps", "--filter", "name=ofsearch-" + suffix + "-pod",
                  "--format", "{{.Name}}").stdout.split()
        check(len(pods) == 2, "2 replicas: %s" % pods)
        for pod in pods:
            ip = pod_ip(pod)
            body = wait_ready("http://%s:8080/readyz" % ip)
            ready = json.loads(body) if body else {}
            check(ready.get("sections") == m.get("sections") and m,
                  "%s (%s) ready with the published index: %s" % (pod, ip, body))
            status, body = get("http://%s:8080/api/search?q=zero+cluster&limit=1" % ip)
            hits = json.loads(body)["hits"] if status == 200 else []
            check(hits and hits[0]["url"].startswith("https://docs.example.org/") or
                  how.startswith("base"), "%s answers with the site's URLs: %s" % (pod, hits))
            print("%s at %s: ready, %s" % (pod, ip, hits[0]["url"] if hits else "no hit"))
    finally:
        for f in files.values():
            sh("podman", "kube", "play", "--down", f)
    return 0


def main():
    why = skip_reason()
    if why:
        print("SKIP: " + why)
        return SKIP
    build = sys.argv[1]
    ofs = os.path.join(build, "indexer", "ofsearch")
    image = "localhost/ofsearch:test-%d" % os.getpid()
    p = subprocess.run([os.path.join(SRC, "deploy", "container", "build.sh"), image],
                       capture_output=True, text=True, env=dict(ENV, BUILD_DIR=build), timeout=900)
    print(p.stdout)
    if p.returncode != 0:
        print("SKIP: the image cannot be built here: " + p.stderr[-2000:])
        return SKIP
    size = [l for l in p.stdout.splitlines() if l.startswith("image ")]
    check(size and int(size[-1].split()[2]) < 120e6, "image size %s" % size)
    try:
        with tempfile.TemporaryDirectory(prefix="ofs_deploy_") as tmp:
            os.chmod(tmp, 0o755)
            rc = run_container(image, tmp, ofs)
            if rc == 0:
                rc = kube_play(image, tmp)
    finally:
        sh("podman", "rmi", "-f", image)
    if rc == SKIP:
        return SKIP
    print("deploy_podman: %s" % ("FAILED (%d)" % failures if failures else "ok"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
