from . import main
from . import floor
