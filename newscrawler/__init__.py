"""newscrawler: Arabic news crawler (Scrapy) with normalised, deduplicated SQLite output."""

from pathlib import Path

__version__ = "0.1.0"

# The Scrapy shell (spiders/, pipelines/) and the default sources file (data/sources.toml) live at the repository
# root, where users edit them. A wheel installs them inside this package instead (newscrawler.spiders,
# newscrawler.pipelines, newscrawler/data/sources.toml: `package-dir` in pyproject.toml), so that it adds no
# top-level `spiders` or `pipelines` to site-packages. In a checkout the repository root joins this package's
# search path, so that the same names (`newscrawler.spiders`, ...) work there too, and the code uses only those.
_ROOT = Path(__file__).resolve().parent.parent
CHECKOUT_ROOT: Path | None = _ROOT if (_ROOT / "scrapy.cfg").is_file() and (_ROOT / "spiders").is_dir() else None
if CHECKOUT_ROOT is not None:
    __path__.append(str(CHECKOUT_ROOT))
