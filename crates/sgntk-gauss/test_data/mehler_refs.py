# Reference values for the Mehler-series unit test (src/mehler.rs, mehler_matches_mpmath):
# nested adaptive mpmath quadrature at 30 digits, split at the inner Gaussian centre.
# Run: .venv/bin/python crates/sgntk-gauss/test_data/mehler_refs.py
import mpmath as mp
mp.mp.dps=30
def sig(x,k=4):
    s=1/(1+mp.exp(-k*x)); return k*s*(1-s)
def atan2(x,a=2): return (a/2)/(1+(mp.pi*a*x/2)**2)
def E(f,g,a,b,c):
    su,sv=mp.sqrt(a),mp.sqrt(b); rho=c/(su*sv); t=mp.sqrt(1-rho**2)
    phi=lambda z: mp.exp(-z*z/2)/mp.sqrt(2*mp.pi)
    inner=lambda z1: mp.quad(lambda z2: phi(z2)*g(sv*(rho*z1+t*z2)), [-mp.inf,-rho*z1/t,mp.inf])
    return mp.quad(lambda z1: phi(z1)*f(su*z1)*inner(z1), [-mp.inf,0,mp.inf])
print(E(sig,atan2,1.0831899124769913,0.09414388899761285,-0.13776720056198677))
tp=lambda x: 1/mp.cosh(x)**2
print(E(tp,sig,25.061563389362195,0.42655743583611644,0.9768193032976537))
