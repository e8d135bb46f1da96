"""The shared extension objects, bound to an app in `create_app`."""

from flask_jwt_extended import JWTManager
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlmodel import SQLModel

from quantum.core import columns as _columns  # noqa: F401  (sets the naming convention first)

# Flask-Migrate reads `db.metadata`; giving it SQLModel's metadata makes
# `flask db migrate` see every SQLModel table.
db = SQLAlchemy(metadata=SQLModel.metadata, session_options={"expire_on_commit": False})
migrate = Migrate()
jwt = JWTManager()
api = Api()
