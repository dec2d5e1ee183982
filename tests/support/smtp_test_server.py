#!/usr/bin/python3
# A real SMTP relay for the central's notifier tests: Debian's aiosmtpd on loopback, with
# STARTTLS (required before MAIL), implicit TLS (smtps) or no TLS at all, optional AUTH.
# Every accepted message is appended to --messages as one JSON line; the bound port is
# written to --port-file once listening. Runs until killed.
import argparse
import asyncio
import json
import os
import ssl

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, path):
        self.path = path

    async def handle_DATA(self, server, session, envelope):
        line = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "content": envelope.content.decode("utf-8", "replace"),
            # STARTTLS or implicit TLS: either way the transport is an SSL one by now.
            "tls": server.transport.get_extra_info("ssl_object") is not None,
            "login": getattr(session, "test_login", None),
        }
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--messages", required=True)
    parser.add_argument("--tls", choices=["starttls", "implicit", "none"], default="starttls")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--user")
    parser.add_argument("--password-file")
    args = parser.parse_args()

    context = None
    if args.tls != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    password = None
    if args.password_file:
        with open(args.password_file, "rb") as f:
            password = f.read().strip()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login.decode() == args.user and auth_data.password == password)
        if ok:
            session.test_login = args.user
        return AuthResult(success=ok, handled=False)

    recorder = Recorder(args.messages)

    def factory():
        return SMTP(recorder,
                    hostname="relay.test",
                    tls_context=context if args.tls == "starttls" else None,
                    require_starttls=args.tls == "starttls",
                    auth_required=args.user is not None,
                    auth_require_tls=True,
                    authenticator=authenticator if args.user else None)

    async def serve():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            factory, "127.0.0.1", args.port,
            ssl=context if args.tls == "implicit" else None)
        port = server.sockets[0].getsockname()[1]
        temp = args.port_file + ".tmp"
        with open(temp, "w") as f:
            f.write(f"{port}\n")
        os.rename(temp, args.port_file)
        await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
