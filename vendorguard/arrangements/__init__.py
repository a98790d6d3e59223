"""The shared base of engagements, cloud services and social-media accounts."""
