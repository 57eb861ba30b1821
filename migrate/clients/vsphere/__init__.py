"""vSphere: connecting to a vCenter and harvesting its inventory."""
