"""Raw folders -> prepared shards -> tf.data / numpy / PyTorch (issue 4)."""
