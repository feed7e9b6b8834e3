# The class service (docs/jupyterhub.md, "A class: released packs and the
# class service"): load it after jupyterhub_config.py, e.g. at the end of
# that file:  load_subconfig("/etc/jupyterhub/classroom_config.py")
#
# It keeps the instructor's source packs, runs the tests a release held
# back, and keeps the class's results, as its own Unix user
# (`mock-classroom`, made once: useradd --system mock-classroom), in folders
# only that user can read (the service refuses to start otherwise).
# tests/test_classroom_hub.py runs this file.
import sys

c = get_config()  # noqa: F821 (JupyterHub provides it)

c.JupyterHub.services = [
    {
        "name": "classroom",
        "url": "http://127.0.0.1:10101",
        "user": "mock-classroom",
        "command": [sys.executable, "-m", "mock_interviewer_lab.classroom.service",
                    "--packs", "/srv/mock-classroom/packs",
                    "--data", "/srv/mock-classroom/data"],
        "display": False,
    },
]

# The instructor's scope: the class's table, transcripts and source packs.
c.JupyterHub.custom_scopes = {
    "custom:mock-interviewer:instructor": {
        "description": "Read the class's results and source packs in the class service",
    },
}
c.JupyterHub.load_roles = [
    # every user may call the service (their hidden runs, their sessions)
    {"name": "user", "scopes": ["self", "access:services!service=classroom"]},
    {"name": "classroom-instructor",
     "scopes": ["custom:mock-interviewer:instructor", "access:services!service=classroom"],
     "users": ["teacher"]},
]

# A user's server calls the service with its own token ($JUPYTERHUB_API_TOKEN),
# which gets those of these scopes its user holds.
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "access:services!service=classroom",
    "custom:mock-interviewer:instructor",
]
# Where the users' servers reach the service (straight, not through the proxy).
c.Spawner.environment = {
    "MOCK_INTERVIEWER_CLASSROOM_URL": "http://127.0.0.1:10101/services/classroom/",
    # the released packs, readable by every student
    "MOCK_INTERVIEWER_PACKS": "/srv/mock-classroom/released",
}
