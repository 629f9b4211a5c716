"""(routes being written)"""
from flask import Blueprint

bp = Blueprint("reports", __name__)
