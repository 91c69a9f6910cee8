
ÿÿÿÿxxxxxxxx