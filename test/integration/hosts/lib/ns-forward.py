"""Makes a loopback port of the root network namespace (moto's) reachable on the same port of a
simulated host's loopback: the listening socket is opened inside the host's namespace (setns(2)),
each accepted connection is relayed to 127.0.0.1:<port> from the root namespace. So AWS_ENDPOINT_URL
is the same URL on the hosts and in the suites, and nothing listens beyond loopback.

usage: ns-forward.py <port> <netns path>
"""
import ctypes
import os
import socket
import sys
import threading

CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


def listen_inside(port, netns):
    own = f"/proc/{os.getpid()}/ns/net"
    own_fd = os.open(own, os.O_RDONLY)
    setns(netns)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(128)
    if libc.setns(own_fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns back")
    os.close(own_fd)
    return server


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def relay(client, port):
    try:
        upstream = socket.create_connection(("127.0.0.1", port))
    except OSError:
        client.close()
        return
    threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
    pump(upstream, client)
    client.close()
    upstream.close()


def main():
    port, netns = int(sys.argv[1]), sys.argv[2]
    server = listen_inside(port, netns)
    print(f"forwarding 127.0.0.1:{port} in {netns}", flush=True)
    while True:
        client, _ = server.accept()
        threading.Thread(target=relay, args=(client, port), daemon=True).start()


if __name__ == "__main__":
    main()
