# JupyterHub for a class: each student gets a Jupyter server of their own, as
# their own Unix account, with the Mock Interviewer Lab extension in it.
# One machine: system accounts (PAM) and LocalProcessSpawner. The extension's
# own options are in jupyter_server_config.json beside this file, which goes
# where every user's server reads it (/etc/jupyter/ on this machine; z2jh:
# singleuser.extraFiles). See docs/jupyterhub.md.
#
# tests/test_jupyterhub.py runs this file, laying over it only what a test
# machine needs: loopback ports, DummyAuthenticator and SimpleLocalProcessSpawner
# (the test cannot create Unix accounts), and a config path for the JSON file.

c = get_config()  # noqa: F821 (JupyterHub provides it)

# Behind a TLS-terminating proxy (nginx, Caddy) on the same machine.
c.JupyterHub.bind_url = "http://127.0.0.1:8000"

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {"students"}
c.Authenticator.admin_users = {"teacher"}
c.JupyterHub.spawner_class = "localprocess"

c.Spawner.cmd = ["jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
# Servers read the administrator's configuration only, not ~/.jupyter: a
# student cannot loosen the extension's limits with a config file of their own.
c.Spawner.disable_user_config = True
# The hub's stop button sends SIGINT; the extension then stops its sandbox
# kernel, removes its files and checkpoints the session store (1-2 s).
c.Spawner.interrupt_timeout = 15
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 120
# Sizing (docs/jupyterhub.md): a server with the extension ~150 MB, its
# sandbox kernel ~73 MB once a test has run, ~68 MB per notebook kernel.
# Spawners that enforce limits (systemdspawner, kubespawner) take these:
c.Spawner.mem_limit = "1G"
c.Spawner.cpu_limit = 1.0
