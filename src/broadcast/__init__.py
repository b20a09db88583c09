"""broadcast: public-service messages to ready-to-play audio packages for commune loudspeakers."""

__version__ = "0.1.0"
