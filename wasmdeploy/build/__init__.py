"""Build: module inspection, precompile, function zips, the runtime layer."""
