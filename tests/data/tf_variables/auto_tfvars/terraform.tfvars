# the defaults of every environment
public_ip = false
