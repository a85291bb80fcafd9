"""Compile the gettext catalogues when the package is built or installed."""

import importlib.util
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        # Load the module by path: importing the tracker package would need Flask at build time.
        path = Path(self.root) / "tracker" / "catalogues.py"
        spec = importlib.util.spec_from_file_location("tracker_catalogues", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.compile_catalogues(Path(self.root) / "tracker" / "translations")
