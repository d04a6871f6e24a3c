"""Writes the files of one folder of a git commit into a directory, leaving out given prefixes and
any blob the snapshot lacks (snapshots omit files of 4 MiB and more), and says what it left out.

    python3 extract_tree.py GIT_DIR REF FOLDER DEST [EXCLUDED_PREFIX...]

Used by setup.sh instead of `git archive`, which stops at the first absent blob.
"""

import os
import subprocess
import sys

git_dir, ref, folder, dest, *excluded = sys.argv[1:]
git = ["git", f"--git-dir={git_dir}"]
listing = subprocess.run(git + ["ls-tree", "-r", "-z", ref, "--", folder], check=True, capture_output=True).stdout
entries = []
for record in listing.split(b"\0"):
    if not record:
        continue
    meta, path = record.split(b"\t", 1)
    mode, kind, obj = meta.decode().split()
    path = path.decode()
    if kind == "blob" and not any(path == p or path.startswith(p + "/") for p in excluded):
        entries.append((mode, obj, path))

batch = subprocess.Popen(git + ["cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
absent = []
for mode, obj, path in entries:
    batch.stdin.write(obj.encode() + b"\n")
    batch.stdin.flush()
    header = batch.stdout.readline().decode().split()
    if header[-1] == "missing":
        absent.append(path)
        continue
    data = batch.stdout.read(int(header[2]))
    batch.stdout.read(1)  # the newline after each object
    target = os.path.join(dest, path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if mode == "120000":
        os.symlink(data.decode(), target)
    else:
        with open(target, "wb") as f:
            f.write(data)
        if mode == "100755":
            os.chmod(target, 0o755)
batch.stdin.close()
batch.wait()
print(f"{len(entries) - len(absent)} files written under {dest}/{folder}")
if absent:
    print("left out (absent from the snapshot): " + ", ".join(absent))
