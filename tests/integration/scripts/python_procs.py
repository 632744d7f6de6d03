# Python processes and threads: threading, multiprocessing.Pool,
# subprocess, signal.alarm with a handler, time.sleep.
import multiprocessing
import signal
import subprocess
import threading
import time

results = []
lock = threading.Lock()


def work(i):
    with lock:
        results.append(i * i)


def square(x):
    return x * x


threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("threads", sorted(results))
if __name__ == "__main__":
    # Four worker processes fed through pipes, results back in order.
    with multiprocessing.Pool(4) as pool:
        print("pool", pool.map(square, range(20)))
        print("pool async", pool.apply_async(square, (12,)).get(timeout=30))
print("subprocess", subprocess.run(["/bin/echo", "hi"], capture_output=True).stdout)
print("returncode", subprocess.run(["/bin/sh", "-c", "exit 5"]).returncode)
got = []
signal.signal(signal.SIGALRM, lambda s, f: got.append(s))
signal.alarm(1)
time.sleep(1.5)
print("alarm", got == [signal.SIGALRM])
t0 = time.monotonic()
time.sleep(0.2)
print("slept", time.monotonic() - t0 >= 0.2)
