#!/usr/bin/python3
"""A PostgreSQL server that misbehaves, for observe's fault tests.

    fakepg.py MODE LOG      listen on 127.0.0.1, a free port, printed on the
                            first line of standard output; LOG gets one line
                            per event (connect, startup, query, cancel)

MODE is what the server does once a client connects:

    mute     accepts the TCP connection and never answers (a stuck proxy)
    silent   completes the login (trust) and then never answers a query
    fatal    completes the login and answers the first query with
             FATAL 57P01 "terminating connection due to administrator
             command", then closes, as a fast shutdown does
    rows:N   answers observe's queries as a healthy server would, with N
             client backends named app-0 ... app-(N-1), each idle in
             transaction for 1 s (for make bench: N distinct names)

A cancel request (a new connection whose first packet is 80877102) is
logged and the connection closed, as the postmaster does. The server runs
until killed; it speaks the protocol version 3 messages it needs and no more.
"""

import socket
import struct
import sys
import threading

SSL_REQUEST, GSS_REQUEST, CANCEL_REQUEST = 80877103, 80877104, 80877102


def log(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def recv_exact(c, n):
    data = b""
    while len(data) < n:
        chunk = c.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def msg(kind, payload):
    return kind + struct.pack("!I", len(payload) + 4) + payload


def login(c):
    """The startup packets until a real StartupMessage; False on a cancel request."""
    while True:
        (n,) = struct.unpack("!I", recv_exact(c, 4))
        body = recv_exact(c, n - 4)
        (code,) = struct.unpack("!I", body[:4])
        if code in (SSL_REQUEST, GSS_REQUEST):
            c.sendall(b"N")
            continue
        if code == CANCEL_REQUEST:
            return False
        break
    c.sendall(
        msg(b"R", struct.pack("!I", 0))
        + msg(b"S", b"server_version\x0015.0 (fake)\x00")
        + msg(b"S", b"client_encoding\x00UTF8\x00")
        + msg(b"K", struct.pack("!II", 4242, 1234))
        + msg(b"Z", b"I")
    )
    return True


def row_description(names):
    out = struct.pack("!H", len(names))
    for n in names:
        out += n.encode() + b"\0" + struct.pack("!IHIhih", 0, 0, 25, -1, -1, 0)
    return msg(b"T", out)


def data_row(values):
    out = struct.pack("!H", len(values))
    for v in values:
        if v is None:
            out += struct.pack("!i", -1)
        else:
            b = v.encode()
            out += struct.pack("!i", len(b)) + b
    return msg(b"D", out)


def answer(c, sql, n):
    """What a healthy PostgreSQL 15 answers to observe's statements."""
    ready = msg(b"Z", b"I")
    if sql.startswith("SET"):
        c.sendall(msg(b"C", b"SET\0") + msg(b"C", b"SET\0") + ready)
    elif "pg_settings" in sql:
        rows = [("max_connections", "100000", None), ("superuser_reserved_connections", "3", None),
                ("idle_in_transaction_session_timeout", "0", "ms")]
        out = row_description(["name", "setting", "unit"])
        out += b"".join(data_row(r) for r in rows)
        c.sendall(out + msg(b"C", b"SELECT 3\0") + ready)
    else:
        out = [row_description(["application_name", "usename", "state", "state_age_ms", "hidden"])]
        for i in range(n):
            out.append(data_row(["app-%d" % i, "app", "idle in transaction", "1000", "f"]))
        c.sendall(b"".join(out) + msg(b"C", b"SELECT %d\0" % n) + ready)


def serve(c, mode, path):
    try:
        if mode == "mute":
            log(path, "connect")
            c.recv(1 << 16)
            threading.Event().wait()
        if not login(c):
            log(path, "cancel")
            return
        log(path, "startup")
        kind = recv_exact(c, 1)
        (n,) = struct.unpack("!I", recv_exact(c, 4))
        sql = recv_exact(c, n - 4).rstrip(b"\0").decode("utf-8", "replace")
        log(path, "query " + sql)
        if mode.startswith("rows:"):
            n = int(mode[5:])
            while True:
                answer(c, sql, n)
                if recv_exact(c, 1) != b"Q":
                    return
                (m,) = struct.unpack("!I", recv_exact(c, 4))
                sql = recv_exact(c, m - 4).rstrip(b"\0").decode()
        if mode == "fatal":
            fields = (b"SFATAL\0VFATAL\0C57P01\0"
                      b"Mterminating connection due to administrator command\0\0")
            c.sendall(msg(b"E", fields))
            return
        while c.recv(1 << 16):   # silent: read and never answer
            pass
    except (EOFError, OSError):
        pass
    finally:
        c.close()


def main():
    mode, path = sys.argv[1], sys.argv[2]
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    print(s.getsockname()[1], flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c, mode, path), daemon=True).start()


if __name__ == "__main__":
    main()
