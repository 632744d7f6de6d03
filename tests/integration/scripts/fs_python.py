# Python file APIs over tmpfs: tempfile, os.walk, shutil copy/move/rmtree,
# mmap of a file (read-only shared and private copy), os.scandir, fcntl
# locks, and reading /proc/self. Prints only what does not depend on paths.
import fcntl
import mmap
import os
import shutil
import tempfile

with tempfile.TemporaryDirectory(dir="/tmp") as d:
    for i in range(3):
        sub = os.path.join(d, "dir%d" % i, "nested")
        os.makedirs(sub)
        for j in range(4):
            with open(os.path.join(sub, "f%d.txt" % j), "w") as f:
                f.write("%d-%d\n" % (i, j) * (j + 1))
    walked = []
    for root, dirs, files in os.walk(d):
        dirs.sort()
        walked.append((os.path.relpath(root, d), sorted(files)))
    print(walked)
    shutil.copytree(os.path.join(d, "dir0"), os.path.join(d, "copy"))
    shutil.move(os.path.join(d, "dir1"), os.path.join(d, "moved"))
    shutil.rmtree(os.path.join(d, "dir2"))
    print(sorted(os.listdir(d)))
    print(sorted(e.name for e in os.scandir(os.path.join(d, "copy", "nested"))))
    path = os.path.join(d, "data.bin")
    with open(path, "wb") as f:
        f.write(b"0123456789" * 1000)
    with open(path, "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        print(len(m), m[:10], m.find(b"567", 100))
        m.close()
    with open(path, "r+b") as f:
        m = mmap.mmap(f.fileno(), 4096, access=mmap.ACCESS_COPY)
        m[0:4] = b"ABCD"
        print(m[:6])
        m.close()
    with open(path, "rb") as f:
        print(f.read(6))
    # A shared writable mapping writes the file itself.
    with open(path, "r+b") as f:
        m = mmap.mmap(f.fileno(), 0)
        m[10:14] = b"WXYZ"
        m.flush()
        m.close()
    with open(path, "rb") as f:
        print(f.read(16))
    with open(path, "r+b") as f:
        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(f, fcntl.LOCK_SH)
        print("locked")
    with tempfile.NamedTemporaryFile(dir=d) as t:
        t.write(b"temp")
        t.flush()
        print(os.path.getsize(t.name), os.stat(t.name).st_nlink)
    print(os.path.exists(os.path.join(d, "copy", "nested", "f3.txt")))
print(open("/proc/self/comm").read().strip() in ("python3", "python3.11"))
print(os.readlink("/proc/self/exe").startswith("/usr/bin/python3"))
