"""Supply chains by stage: concentration, import reliance, supply-risk indices, reciprocity."""
